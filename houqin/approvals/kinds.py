"""The kinds of request that go through approval, and the facts a flow may test.

A module registers its kind once (the built-in ones are below) and may register it again
in its own ``AppConfig.ready`` to add the callback that tells its records the outcome::

    register_kind("leave", _("请假"), facts=("days", "sub_type"),
                  sub_types=LEAVE_TYPES, on_decided=leave_decided)

``on_decided(approval_request)`` runs in the same transaction each time a request leaves
"pending" (approved, rejected, returned or withdrawn): read ``approval_request.status``.
A kind without ``on_decided`` calls ``subject.on_approval_decided(approval_request)`` if
the subject has that method.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

# The facts a flow's conditions can test. ``positions`` (the requester's) is always known.
DAYS, AMOUNT, SUB_TYPE, POSITIONS = "days", "amount", "sub_type", "positions"
FACT_LABELS = {
    DAYS: _("天数"),
    AMOUNT: _("金额（元）"),
    SUB_TYPE: _("类型"),
    POSITIONS: _("申请人职务"),
}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    facts: tuple[str, ...] = ()
    sub_types: tuple[str, ...] = ()  # the sub-types a flow may name, e.g. 事假, 病假
    on_decided: Callable | None = None

    def __str__(self):
        return str(self.label)

    @property
    def has_days(self):
        return DAYS in self.facts

    @property
    def has_amount(self):
        return AMOUNT in self.facts

    @property
    def has_sub_type(self):
        return SUB_TYPE in self.facts


_kinds: dict[str, Kind] = {}


def register_kind(
    code: str,
    label,
    *,
    facts: Iterable[str] = (),
    sub_types: Iterable[str] = (),
    on_decided: Callable | None = None,
) -> Kind:
    """Register (or re-register, replacing) a kind of request."""
    unknown = set(facts) - {DAYS, AMOUNT, SUB_TYPE}
    if unknown:
        raise ValueError(f"unknown facts for approval kind {code!r}: {sorted(unknown)}")
    _kinds[code] = Kind(code, label, tuple(facts), tuple(sub_types), on_decided)
    return _kinds[code]


def get_kind(code: str) -> Kind | None:
    return _kinds.get(code)


def all_kinds() -> list[Kind]:
    return list(_kinds.values())


def kind_choices():
    return [(kind.code, kind.label) for kind in _kinds.values()]


def kind_label(code: str):
    kind = _kinds.get(code)
    return kind.label if kind else code


def to_decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def normalise_facts(facts: dict | None) -> dict:
    """Facts as stored on a request (JSON): decimals as strings, no empty values."""
    stored = {}
    for key, value in (facts or {}).items():
        if value in (None, "", [], ()):
            continue
        if key in (DAYS, AMOUNT):
            number = to_decimal(value)
            if number is None:
                raise ValueError(f"approval fact {key!r} is not a number: {value!r}")
            stored[key] = str(number)
        elif key == POSITIONS:
            stored[key] = sorted(str(item) for item in value)
        else:
            stored[key] = str(value)
    return stored


def describe_facts(facts: dict, *, with_positions=True) -> list[tuple[str, str]]:
    """(label, value) pairs to show a request's facts to a person."""
    from houqin.accounts.roles import Position

    rows = []
    if facts.get(SUB_TYPE):
        rows.append((FACT_LABELS[SUB_TYPE], facts[SUB_TYPE]))
    if facts.get(DAYS):
        days = to_decimal(facts[DAYS]).normalize()
        rows.append((FACT_LABELS[DAYS], _("%(days)s 天") % {"days": f"{days:f}"}))
    if facts.get(AMOUNT):
        rows.append((FACT_LABELS[AMOUNT], f"¥{to_decimal(facts[AMOUNT]):,.2f}"))
    if with_positions and facts.get(POSITIONS):
        labels = dict(Position.choices)
        rows.append(
            (FACT_LABELS[POSITIONS], "、".join(str(labels.get(p, p)) for p in facts[POSITIONS]))
        )
    return rows


LEAVE_TYPES = ("事假", "病假", "婚假", "丧假", "产假", "陪产假", "哺乳假", "公假")

register_kind("leave", _("请假"), facts=(DAYS, SUB_TYPE), sub_types=LEAVE_TYPES)
register_kind("going_out", _("外出"), facts=(DAYS, SUB_TYPE))
register_kind("requisition", _("物品领用"), facts=(AMOUNT, SUB_TYPE))
register_kind("transfer", _("资产调拨"), facts=(AMOUNT, SUB_TYPE))
register_kind(
    "disposal",
    _("资产处置"),
    facts=(AMOUNT, SUB_TYPE),
    sub_types=("调剂", "捐赠", "变卖", "报损", "报废"),
)
register_kind("purchase", _("采购"), facts=(AMOUNT, SUB_TYPE))
