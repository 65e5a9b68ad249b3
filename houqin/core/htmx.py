from django.shortcuts import render


def render_page(request, template, context, *, partial="results"):
    """Render the whole page, or only its ``partial`` when htmx asks for it."""
    if request.htmx and not request.htmx.boosted:
        template = f"{template}#{partial}"
    return render(request, template, context)
