import factory

from houqin.accounts.roles import Position
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.supplies.models import Item, MoveKind, Stock, StockMove, Store


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"库房{n}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    name = factory.Sequence(lambda n: f"物品{n}")
    unit = "个"
    last_price = 10


def put_in(store, item, quantity, *, by):
    """Stock ``quantity`` of ``item`` in ``store`` with its ledger row (test set-up)."""
    stock, _created = Stock.objects.get_or_create(school_id=store.school_id, store=store, item=item)
    Stock.objects.filter(pk=stock.pk).update(quantity=stock.quantity + quantity)
    StockMove.objects.create(
        school_id=store.school_id,
        store=store,
        item=item,
        kind=MoveKind.IN,
        quantity=quantity,
        balance=stock.quantity + quantity,
        by=by,
        unit_price=item.last_price,
    )
    return stock


def self_approving_flow(school):
    """A requisition flow approved by the logistics manager (position step)."""
    return FlowFactory(
        school=school,
        kind="requisition",
        steps=[{"approver_type": ApproverType.POSITION, "position": Position.LOGISTICS_MANAGER}],
    )
