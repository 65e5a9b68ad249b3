import factory
from django.utils import timezone

from houqin.approvals.models import ApproverType, Delegation, Flow, FlowStep
from houqin.org.tests.factories import SchoolFactory


class FlowFactory(factory.django.DjangoModelFactory):
    """A flow; ``FlowFactory(steps=[ApproverType.PRINCIPAL, ...])`` adds its steps in order
    (an item may be a dict of FlowStep fields)."""

    class Meta:
        model = Flow
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    kind = "leave"
    name = factory.Sequence(lambda n: f"流程{n}")
    priority = 100

    @factory.post_generation
    def steps(obj, create, extracted, **kwargs):
        for order, step in enumerate(extracted or [], start=1):
            fields = step if isinstance(step, dict) else {"approver_type": step}
            FlowStep.objects.create(flow=obj, order=order, **fields)


class FlowStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlowStep

    flow = factory.SubFactory(FlowFactory)
    order = factory.Sequence(lambda n: n + 1)
    approver_type = ApproverType.PRINCIPAL


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    school = factory.SelfAttribute("from_staff.school")
    start = factory.LazyFunction(timezone.localdate)
    end = factory.LazyFunction(timezone.localdate)
