from houqin.approvals.demo import FLOWS, load
from houqin.approvals.models import Flow, FlowStep


def test_it_loads_the_demo_flows_once(school):
    load(school, {})
    load(school, {})
    assert Flow.objects.filter(school=school).count() == len(FLOWS)
    assert FlowStep.objects.filter(flow__school=school).count() == sum(
        len(steps) for *_rest, steps in FLOWS
    )


def test_it_leaves_a_flow_the_school_edited_alone(school):
    load(school, {})
    flow = Flow.objects.get(school=school, name="半天以内")
    flow.steps.all().delete()
    flow.priority = 5
    flow.save()
    load(school, {})
    flow.refresh_from_db()
    assert flow.priority == 5
    assert not flow.steps.exists()
