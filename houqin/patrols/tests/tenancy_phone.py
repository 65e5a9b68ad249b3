"""Phone round URLs for tests/test_tenancy.py (merged by ``tenancy.py``): another school's
answer is a 404 on its photo upload. The round page names its records in the query
string (``?route=``, ``?expected=``, ``?place=&checklist=``): test_phone.py covers those."""

import uuid

from django.utils import timezone

from houqin.patrols.models import Answer
from houqin.patrols.tests.factories import RoundFactory, RouteFactory

OBJECT_URLS = {
    "patrols:answer_photo": lambda o: {"uuid": o["patrol_answer"].client_uuid},
}


def objects(school, base):
    route = RouteFactory(school=school, places=[base["place"]])
    round_ = RoundFactory(school=school, route=route, patroller=base["staff"])
    answer = Answer.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        item=round_.checklist_version.items.first(),
        place=base["place"],
        answered_at=timezone.now(),
    )
    return {"patrol_answer": answer}
