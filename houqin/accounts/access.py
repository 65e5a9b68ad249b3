"""The access helpers every view uses. A record of another school is a 404, never a 403:
we do not confirm that it exists."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404


def staff_of(user):
    """The Staff record behind a login, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_houqin_staff"):
        from houqin.accounts.models import Staff

        user._houqin_staff = (
            Staff.objects.select_related("school", "district", "department")
            .prefetch_related("appointments")
            .filter(user=user, is_active=True)
            .first()
        )
    return user._houqin_staff


def school_of(user):
    staff = staff_of(user)
    return staff.school if staff else None


def _scope(user, field):
    """Ids of ``field`` (campus or department) the user is limited to, or None for the whole
    school. A user is limited only when every position they hold names one."""
    staff = staff_of(user)
    if staff is None:
        return set()
    appointments = staff.held_appointments()
    ids = [getattr(a, f"{field}_id") for a in appointments]
    if not ids or None in ids:
        return None
    return set(ids)


def campus_scope(user):
    return _scope(user, "campus")


def department_scope(user):
    return _scope(user, "department")


def scope_queryset(queryset: QuerySet, user) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may read: their school, and their campuses or
    departments where their positions say so. A model opts in to the narrowing by naming
    the lookup to its campus (``campus_path``) or its department (``department_path``)."""
    school = school_of(user)
    if school is None:
        return queryset.none()
    queryset = queryset.filter(school=school)
    for attribute, allowed in (
        ("campus_path", campus_scope),
        ("department_path", department_scope),
    ):
        path = getattr(queryset.model, attribute, None)
        ids = allowed(user) if path else None
        if ids is not None:
            lookup = "pk__in" if path == "pk" else f"{path}__in"
            queryset = queryset.filter(**{lookup: ids})
    return queryset


def get_for_user(request, model_or_queryset, pk, *, perm=None):
    """One record the user may read, or 404. With ``perm``, the user must also hold that
    permission to act on it, or 403."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        obj = scope_queryset(queryset, request.user).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if perm:
        require_perm(request, perm)
    return obj


def require_perm(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def school_required(view=None, *, perm=None):
    """Log in first; belong to a school; hold ``perm`` if given. Sets ``request.school``
    and ``request.staff``."""

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = staff_of(request.user)
            if staff is None or staff.school is None:
                raise PermissionDenied
            if perm:
                require_perm(request, perm)
            request.staff, request.school = staff, staff.school
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view else decorator


def same_school(request, obj: Model) -> bool:
    return getattr(obj, "school_id", None) == request.school.pk
