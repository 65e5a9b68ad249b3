from django.shortcuts import render


def render_page(request, template, context, *, partial="results"):
    """Render the whole page, or only its ``partial`` when htmx swaps it in. A boosted
    request or htmx restoring history after Back needs the whole page."""
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    return render(request, template, context)
