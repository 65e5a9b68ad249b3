from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from houqin.accounts.access import staff_of
from houqin.accounts.models import User
from houqin.accounts.roles import permissions_for


def find_user(identifier):
    """The one user whose username, staff number or phone is ``identifier``; None when no
    user or more than one matches (a staff number shared by two schools)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    matches = list(
        User.objects.filter(
            Q(username__iexact=identifier)
            | Q(staff__staff_no=identifier)
            | Q(staff__phone=identifier)
        ).distinct()[:2]
    )
    exact = [user for user in matches if user.username.lower() == identifier.lower()]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def canonical_username(request, credentials):
    """For django-axes: count failures against the account, whichever identifier was typed."""
    identifier = (credentials or {}).get("username", "")
    user = find_user(identifier)
    return user.username if user else (identifier or "").strip().lower()


class StaffLoginBackend(ModelBackend):
    """Sign in by username, staff number or phone; permissions come from positions held."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _role_permissions(self, user_obj):
        if not hasattr(user_obj, "_houqin_perms"):
            staff = staff_of(user_obj)
            positions = staff.positions if staff else []
            user_obj._houqin_perms = permissions_for(positions)
        return user_obj._houqin_perms

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return super().get_all_permissions(user_obj) | self._role_permissions(user_obj)
