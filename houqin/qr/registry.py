"""What can be scanned, and where a scan may lead.

Kinds — records that carry a QR label. An app registers each in ``AppConfig.ready``::

    from houqin.qr.registry import register_kind

    register_kind(
        "A",                                   # prefix: "A:2024-0001" picks this kind
        Asset,
        label=_("资产"),
        code_of=lambda asset: asset.number,    # the human code printed under the QR
        find_by_code=lambda school, text: Asset.objects.filter(
            school=school, number__iexact=text).first(),
        url_of=lambda asset: reverse("assets:detail", args=[asset.pk]),
        label_lines=lambda asset: [asset.name, asset.place.full_name if asset.place else ""],
        can_view=lambda user, asset: Asset.objects.for_user(user).filter(pk=asset.pk).exists(),
    )

Purposes — a module asks the scan page to send the record it found somewhere else than the
record's own page. ``/q/scan/?for=repair`` scans a classroom door and opens the repair form
for that place::

    from houqin.qr.registry import ScanRefused, register_purpose

    def repair_form(request, found):
        if not found.obj.is_active:
            raise ScanRefused(_("该场所已停用，不能报修。"))
        return reverse("repairs:create") + f"?place={found.obj.pk}"

    register_purpose("repair", _("报修"), kinds=["P"], url_for=repair_form,
                     perm="repairs.report")

``url_for(request, found)`` receives a :class:`Found`: ``found.obj`` the record,
``found.kind`` its :class:`Kind`, ``found.token`` the QR token when the person scanned
the code (or typed the token), and ``found.by_token`` — false when they typed the human
code. A purpose that needs proof of presence (a patrol checkpoint) sets
``require_token=True``: typing "A301" is then refused with a message; only the QR's token
counts (the label does not print it in plain text, so it must be scanned on the spot). Link to the scan page for a purpose with
``scan_url("repair")``.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.urls import reverse

from houqin.qr.models import TOKEN_ALPHABET, QrCode

TOKEN_RE = re.compile(rf"^[{TOKEN_ALPHABET}]{{8,20}}$")
# A QR read from one of our labels: ``https://houqin.example.cn/q/7KQ2M9XH4C``.
URL_TOKEN_RE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://[^/?#]+)?(?:/[^?#]*)?/q/([0-9a-z]+)/?(?:[?#].*)?$", re.IGNORECASE
)
URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class ScanRefused(Exception):
    """Raised by a purpose's ``url_for`` with a message the person reads on the scan page."""


@dataclass(frozen=True)
class Kind:
    prefix: str
    model: type[Model]
    label: str
    code_of: Callable
    find_by_code: Callable
    url_of: Callable
    label_lines: Callable
    can_view: Callable
    # The records a user may print labels for, with what label_lines needs selected.
    queryset: Callable | None = None
    label_hint: str = ""  # under the code on the label; "扫码查看 / 报修" if empty

    def queryset_for(self, user) -> QuerySet:
        if self.queryset is not None:
            return self.queryset(user)
        return self.model.objects.for_user(user)


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str
    kinds: Sequence[str]
    url_for: Callable
    perm: str | None = None
    require_token: bool = False
    hint: str = ""
    # Resolves records of the school the user may not open (anyone reports a repair from
    # any card's label); ``url_for`` then shows only what the purpose needs.
    any_record: bool = False

    def allowed(self, user):
        return self.perm is None or user.has_perm(self.perm)


@dataclass(frozen=True)
class Found:
    kind: Kind
    obj: Model
    token: str = ""
    by_token: bool = False

    @property
    def code(self):
        return self.kind.code_of(self.obj)

    @property
    def url(self):
        return self.kind.url_of(self.obj)


_kinds: dict[str, Kind] = {}
_purposes: dict[str, Purpose] = {}


def register_kind(
    prefix,
    model,
    *,
    label,
    code_of,
    find_by_code,
    url_of,
    label_lines,
    can_view,
    queryset=None,
    label_hint="",
):
    kind = Kind(
        prefix=prefix.upper(),
        model=model,
        label=label,
        code_of=code_of,
        find_by_code=find_by_code,
        url_of=url_of,
        label_lines=label_lines,
        can_view=can_view,
        queryset=queryset,
        label_hint=label_hint,
    )
    _kinds[kind.prefix] = kind
    return kind


def register_purpose(
    code, label, *, kinds, url_for, perm=None, require_token=False, hint="", any_record=False
):
    purpose = Purpose(
        code=code,
        label=label,
        kinds=tuple(k.upper() for k in kinds),
        url_for=url_for,
        perm=perm,
        require_token=require_token,
        hint=hint,
        any_record=any_record,
    )
    _purposes[code] = purpose
    return purpose


def kinds():
    return list(_kinds.values())


def get_kind(prefix) -> Kind | None:
    return _kinds.get((prefix or "").upper())


def kind_of_model(model) -> Kind | None:
    for kind in _kinds.values():
        if kind.model is model or kind.model._meta.concrete_model is model:
            return kind
    return None


def get_purpose(code) -> Purpose | None:
    return _purposes.get(code or "")


def scan_url(purpose=None):
    """The scan page, for a purpose (``scan_url("repair")``) or plain."""
    url = reverse("qr:scan")
    return f"{url}?{urlencode({'for': purpose})}" if purpose else url


def normalise(text):
    """What a person typed, as codes are stored: full-width letters, digits and spaces
    (typed with a Chinese input method) become ASCII; spaces around it are dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width
    return text.strip()


def find(user, school, text, *, kinds_allowed=None, visible_only=True):
    """Records of ``school`` that ``user`` may see (any of the school's with
    ``visible_only=False``) and that ``text`` names: a scanned URL, a token, or a human
    code (``A301``, or ``P:A301`` for one kind). Usually one."""
    text = normalise(text)
    if not text:
        return []
    allowed = [k for k in _kinds.values() if kinds_allowed is None or k.prefix in kinds_allowed]
    url_match = URL_TOKEN_RE.match(text)
    if url_match:
        found = _by_token(school, url_match.group(1).upper(), allowed)
    else:
        found = []
        if TOKEN_RE.match(text.upper()):
            found = _by_token(school, text.upper(), allowed)
        if not found:
            found = _by_code(school, text, allowed)
    return [f for f in found if not visible_only or f.kind.can_view(user, f.obj)]


def find_token(user, school, token, *, visible_only=True):
    """The record behind ``/q/<token>``, or None (unknown, another school's, or hidden —
    unless ``visible_only=False``)."""
    found = _by_token(school, token.upper(), list(_kinds.values()))
    found = [f for f in found if not visible_only or f.kind.can_view(user, f.obj)]
    return found[0] if found else None


def _by_token(school, token, allowed):
    code = QrCode.objects.filter(school=school, token=token).select_related("content_type")
    code = code.first()
    if code is None:
        return []
    model = code.content_type.model_class()
    kind = kind_of_model(model) if model else None
    if kind is None or kind not in allowed:
        return []
    obj = kind.model._default_manager.filter(school=school, pk=code.object_id).first()
    return [Found(kind=kind, obj=obj, token=code.token, by_token=True)] if obj else []


def _by_code(school, text, allowed):
    prefix, sep, rest = text.partition(":")
    if sep and get_kind(prefix.strip()) in allowed and rest.strip():
        allowed, text = [get_kind(prefix.strip())], rest.strip()
    found = []
    for kind in allowed:
        obj = kind.find_by_code(school, text)
        if obj is not None:
            found.append(Found(kind=kind, obj=obj))
    return found


def looks_like_url(text):
    return bool(URL_RE.match(normalise(text)))


def describe_kinds(prefixes=None):
    """ "场所、资产": the kinds a purpose accepts, for the scan page's hint."""
    return "、".join(
        str(k.label) for k in _kinds.values() if prefixes is None or k.prefix in prefixes
    )
