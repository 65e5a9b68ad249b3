"""Patrol workflows: versioned checklists, routes, plans and their schedules, the phone's
round sync, answer photos, and the missed-round flag.

Refusals raise ``PatrolError`` with a Chinese message (``PatrolNotFound`` for a record
that does not exist or is another school's). ``by`` / ``staff`` is always the acting
``Staff``; ``now`` defaults to ``timezone.now()``.

The phone's side (see the sync protocol in ``sync_round``):

    payload = round_payload(route, staff, expected=expected)   # everything, offline
    result = sync_batch(staff, json.loads(request.body))       # {"rounds": [...]}
    attachment, created = attach_answer_photo(staff, answer_uuid, photo_uuid, upload)
"""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from houqin.core import workflow
from houqin.org.models import Place
from houqin.patrols.models import (
    Answer,
    AnswerPhoto,
    AnswerType,
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    Checkpoint,
    ExpectedRound,
    Plan,
    Result,
    Round,
    Route,
    Visit,
)

# Notification events (registered in apps.py).
EVENT_MISSED_ROUND = "patrols.missed_round"
EVENT_MISSED_CHECKPOINTS = "patrols.missed_checkpoints"
EVENT_COUNT_MISMATCH = "patrols.count_mismatch"

JOB_CODE = "patrols.rounds"
# A phone clock running ahead is trusted this far, no further.
CLOCK_SKEW = timedelta(minutes=5)
# Expected rounds are made early in the day so the patroller sees the whole day's list.
GENERATE_AT = time(0, 5)


class PatrolError(Exception):
    """A refused action; ``str(error)`` is the Chinese message to show."""


class PatrolNotFound(PatrolError):
    """The record does not exist, or is another school's (a 404, not a 403)."""


class SyncPayloadError(ValueError):
    """A sync body that is not JSON of the protocol's shape (a 400)."""


def _now(now):
    return now or timezone.now()


def school_tz(school):
    return ZoneInfo(school.time_zone or settings.TIME_ZONE)


def local_today(school, now=None):
    """Today in the school's time zone."""
    return timezone.localtime(_now(now), school_tz(school)).date()


def _url(obj):
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # a screen not wired yet
        return ""


# --- who is told ------------------------------------------------------------------------


positions_with = workflow.positions_with


def managers_of(school, campus_id=None):
    """Active staff of ``school`` with a login who manage patrols (``patrols.manage``), on
    the whole school or on ``campus_id``."""
    people = workflow.holders(school, positions_with("patrols.manage"), campus_id=campus_id)
    return [person for person in people if person.user_id]


def _notify_managers(school, *, event, title, body="", url="", campus_id=None):
    from houqin.notifications.services import notify

    people = managers_of(school, campus_id)
    if people:
        notify(people, event=event, title=title, body=body, url=url, school=school)


# --- checklists -------------------------------------------------------------------------


def checklist_create(*, by, name, kind, description=""):
    """A new checklist with an empty draft (v1) to fill in."""
    with transaction.atomic():
        checklist = Checklist.objects.create(
            school=by.school, name=name, kind=kind, description=description
        )
        ChecklistVersion.objects.create(checklist=checklist, number=1)
    return checklist


def _draft_of(checklist):
    draft = checklist.draft_version()
    if draft is None:
        raise PatrolError(_("这个检查表没有草稿。请先点“修订”再修改检查项。"))
    return draft


def _check_draft(version):
    if not version.is_draft:
        raise PatrolError(_("已发布的版本不能修改。请点“修订”生成新版本后再改。"))


def _new_key():
    return uuid.uuid4().hex[:8]


def item_save(item, *, version=None):
    """Save an item of a draft (new when ``version`` is given). Published versions never
    change; ``must_equal_key`` must name another item of the same version."""
    version = version or item.version
    _check_draft(version)
    if item.must_equal_key:
        if item.must_equal_key == item.key:
            raise PatrolError(_("检查项不能要求等于它自己。"))
        if not version.items.filter(key=item.must_equal_key).exists():
            raise PatrolError(_("“须等于”所选的检查项不在这个版本中。"))
    if item.pk is None:
        item.version = version
        item.key = item.key or _new_key()
        last = version.items.aggregate(last=Max("order"))["last"]
        item.order = 0 if last is None else last + 1
    item.save()
    return item


def item_delete(item):
    """Take an item off a draft (a draft is used by nobody yet)."""
    _check_draft(item.version)
    with transaction.atomic():
        ChecklistItem.objects.filter(version=item.version, must_equal_key=item.key).update(
            must_equal_key=""
        )
        item.delete()


def item_move(item, *, up):
    """Swap the item with its neighbour above (``up``) or below."""
    _check_draft(item.version)
    with transaction.atomic():
        items = list(item.version.items.select_for_update().order_by("order", "pk"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(items):
            return
        items[index], items[other] = items[other], items[index]
        for order, row in enumerate(items):
            if row.order != order:
                row.order = order
                row.save(update_fields=["order"])


def checklist_publish(checklist, *, by, note="", now=None):
    """Freeze the draft: it becomes the current version new rounds use."""
    with transaction.atomic():
        draft = _draft_of(checklist)
        ChecklistVersion.objects.select_for_update().get(pk=draft.pk)
        if not draft.items.exists():
            raise PatrolError(_("检查表还没有检查项，不能发布。"))
        draft.published_at = _now(now)
        draft.published_by = by.user
        if note:
            draft.note = note[:200]
        draft.save(update_fields=["published_at", "published_by", "note", "updated_at"])
    return draft


def checklist_revise(checklist, *, by):
    """修订: a new draft copying the current version's items (their keys kept, so reports
    follow the same question across versions). An open draft is returned as it is."""
    with transaction.atomic():
        Checklist.objects.select_for_update().get(pk=checklist.pk)
        draft = checklist.draft_version()
        if draft is not None:
            return draft
        current = checklist.current_version()
        last = checklist.versions.aggregate(last=Max("number"))["last"] or 0
        draft = ChecklistVersion.objects.create(checklist=checklist, number=last + 1)
        if current is not None:
            copies = []
            for item in current.items.all():
                item.pk = None
                item.version = draft
                copies.append(item)
            ChecklistItem.objects.bulk_create(copies)
    return draft


def checklist_archive(checklist, *, by, reason):
    if checklist.routes.filter(is_active=True).exists():
        raise PatrolError(_("还有在用的巡查路线使用这个检查表，请先停用或改用其他检查表。"))
    checklist.archive(by=by.user, reason=reason)


# --- routes -----------------------------------------------------------------------------


def checkpoint_add(route, *, place, checklist=None):
    if place.school_id != route.school_id:
        raise PatrolError(_("这个场所不是本校的。"))
    if checklist is not None and checklist.school_id != route.school_id:
        raise PatrolError(_("这个检查表不是本校的。"))
    with transaction.atomic():
        Route.objects.select_for_update().get(pk=route.pk)
        if route.checkpoints.filter(place=place).exists():
            raise PatrolError(_("“%(place)s”已经在这条路线上了。") % {"place": place.full_name})
        last = route.checkpoints.aggregate(last=Max("order"))["last"]
        return Checkpoint.objects.create(
            route=route, place=place, checklist=checklist, order=0 if last is None else last + 1
        )


def checkpoint_move(checkpoint, *, up):
    with transaction.atomic():
        points = list(checkpoint.route.checkpoints.select_for_update().order_by("order", "pk"))
        index = next(i for i, other in enumerate(points) if other.pk == checkpoint.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(points):
            return
        points[index], points[other] = points[other], points[index]
        for order, row in enumerate(points):
            if row.order != order:
                row.order = order
                row.save(update_fields=["order"])


def checkpoint_remove(checkpoint):
    """Take a stop off the route. Rounds already walked keep their visits (by place)."""
    checkpoint.delete()


# --- plans and their schedules ----------------------------------------------------------


def plan_save(plan, schedule, *, by, patrollers):
    """Save a plan and the schedule that creates its expected rounds (job
    ``patrols.rounds``, params ``{"plan": id}``). ``schedule`` carries the rule fields,
    validated by the form. Today counts from midnight, so a plan made this morning still
    gets today's round at the next scheduler tick."""
    with transaction.atomic():
        plan.school = by.school
        plan.save()
        plan.patrollers.set(patrollers)
        schedule.school = by.school
        schedule.name = _("巡查：%(name)s") % {"name": plan.name}
        schedule.job_code = JOB_CODE
        schedule.params = {"plan": plan.pk}
        schedule.time_of_day = GENERATE_AT
        schedule.runs_from = datetime.combine(
            timezone.localtime(timezone.now(), school_tz(by.school)).date(),
            time(0),
            school_tz(by.school),
        )
        if schedule.pk is None:
            schedule.created_by = by.user
        schedule.save()
        if plan.schedule_id != schedule.pk:
            plan.schedule = schedule
            plan.save(update_fields=["schedule", "updated_at"])
        # The rounds still to come follow the plan's new times.
        for expected in plan.expected_rounds.filter(
            state=ExpectedRound.State.PENDING, round__isnull=True
        ):
            expected.due_at = due_at_for(plan, expected.day)
            expected.save(update_fields=["due_at", "updated_at"])
    return plan


def plan_archive(plan, *, by, reason):
    with transaction.atomic():
        plan.archive(by=by.user, reason=reason)
        if plan.schedule_id and plan.schedule.is_active:
            plan.schedule.archive(by=by.user, reason=reason)


def plan_restore(plan):
    with transaction.atomic():
        plan.restore()
        if plan.schedule_id and not plan.schedule.is_active:
            plan.schedule.restore()
            plan.schedule.runs_from = timezone.now()
            plan.schedule.save(update_fields=["runs_from", "updated_at"])


def due_at_for(plan, day):
    """The moment a plan's round of ``day`` is due, in the school's time zone; a due time
    not after the start time (a night patrol 22:00–02:00) falls on the next day."""
    due_day = day + timedelta(days=1) if plan.due_time <= plan.start_time else day
    return datetime.combine(due_day, plan.due_time, school_tz(plan.school))


def create_expected_rounds(schedule, slot):
    """The job ``patrols.rounds``: the plan's expected round for ``slot`` (a date), once
    (unique plan + day). A slot whose due time has passed makes nothing: nobody could
    have walked it as a task."""
    from houqin.schedules.jobs import JobFailed

    plan = (
        Plan.objects.select_related("school", "route")
        .filter(pk=(schedule.params or {}).get("plan"), school_id=schedule.school_id)
        .first()
    )
    if plan is None:
        raise JobFailed(_("没有找到这个定时任务的巡查安排。"))
    if not plan.is_active or not plan.route.is_active:
        return _("巡查安排或路线已停用，未生成巡查任务")
    due_at = due_at_for(plan, slot)
    if due_at <= timezone.now():
        return _("%(day)s 的完成时限已过，未生成巡查任务") % {"day": slot.isoformat()}
    _expected, created = ExpectedRound.objects.get_or_create(
        plan=plan, day=slot, defaults={"school": plan.school, "due_at": due_at}
    )
    return _("已生成巡查任务") if created else _("巡查任务已存在")


def describe_days(schedule):
    """The plan's days in words (每个教学日, 每周 周一、周三 · 仅教学日 · 遇假跳过), without
    the schedule's own time of day, which is only when the rounds are generated."""
    return schedule.describe_rule().replace(f" {schedule.time_of_day:%H:%M}", "", 1)


def plan_summary(schedule):
    plan = Plan.objects.filter(pk=(schedule.params or {}).get("plan")).first()
    return str(plan.route) if plan else ""


def flag_missed_rounds(now=None):
    """Expected rounds past their due time with no finished round → 漏巡, the managers
    told once. Each is claimed by a conditional update, so two schedulers flag it once.
    Returns how many were flagged."""
    now = _now(now)
    flagged = 0
    candidates = (
        ExpectedRound.objects.filter(state=ExpectedRound.State.PENDING, due_at__lt=now)
        .select_related("school", "plan__route")
        .order_by("due_at", "pk")[:500]
    )
    for expected in candidates:
        with transaction.atomic():
            claimed = ExpectedRound.objects.filter(
                pk=expected.pk, state=ExpectedRound.State.PENDING
            ).update(state=ExpectedRound.State.MISSED, flagged_at=now, updated_at=now)
            if not claimed:
                continue
            flagged += 1
            local_due = timezone.localtime(expected.due_at, school_tz(expected.school))
            _notify_managers(
                expected.school,
                event=EVENT_MISSED_ROUND,
                title=_("漏巡：%(plan)s %(day)s")
                % {"plan": expected.plan.name, "day": expected.day},
                body=_("“%(route)s”应在 %(due)s 前完成巡查，至今没有完成记录。")
                % {"route": expected.plan.route.name, "due": f"{local_due:%m-%d %H:%M}"},
                url=_expected_url(),
                campus_id=expected.plan.route.campus_id,
            )
    return flagged


def _expected_url():
    try:
        return reverse("patrols:expected_list") + "?state=missed"
    except NoReverseMatch:
        return ""


# --- what the phone takes offline -------------------------------------------------------


def _item_data(item):
    return {
        "id": item.pk,
        "key": item.key,
        "order": item.order,
        "text": item.text,
        "answer_type": item.answer_type,
        "required": item.required,
        "photo_on_fail": item.photo_on_fail,
        "min": str(item.min_value) if item.min_value is not None else None,
        "max": str(item.max_value) if item.max_value is not None else None,
        "unit": item.unit,
        "must_equal_key": item.must_equal_key,
        "guidance": item.guidance,
        "hazard_domain": item.hazard_domain,
    }


def _version_data(version):
    checklist = version.checklist
    return {
        "id": version.pk,
        "checklist": checklist.pk,
        "name": checklist.name,
        "kind": checklist.kind,
        "kind_label": str(checklist.get_kind_display()),
        "number": version.number,
        "items": [_item_data(item) for item in version.items.all()],
    }


def _place_data(place, token):
    return {
        "id": place.pk,
        "name": place.name,
        "full_name": place.full_name,
        "code": place.code,
        "building": place.building.name if place.building_id else "",
        "floor": place.floor.label if place.floor_id else "",
        "token": token,
    }


def _published(checklist):
    version = checklist.current_version()
    if version is None:
        raise PatrolError(
            _("检查表“%(name)s”还没有发布，不能开始巡查。") % {"name": checklist.name}
        )
    return version


def _reverse_or_blank(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def round_payload(target, staff, *, expected=None, checklist=None, now=None):
    """Everything the phone needs to walk a round with no signal: the route and its
    checkpoints in order (place id, name, code and QR token), the items of the checklist
    version (and of the checkpoints' own checklists), the expected round, and the URLs.

    ``target`` is a ``Route``, or a ``Place`` for a free inspection (then ``checklist``
    is required). Raises ``PatrolError`` for what cannot be walked."""
    from houqin.qr.models import QrCode

    now = _now(now)
    school = staff.school
    if target.school_id != school.pk:
        raise PatrolNotFound(_("没有找到这条巡查路线或场所。"))
    if not target.is_active:
        raise PatrolError(_("“%(name)s”已停用，不能巡查。") % {"name": target})
    versions = {}
    if isinstance(target, Route):
        route, place = target, None
        main = _published(route.checklist)
        points = list(
            route.checkpoints.select_related("place__building", "place__floor", "checklist")
        )
        places = [point.place for point in points]
    else:
        route, place = None, target
        if checklist is None or checklist.school_id != school.pk:
            raise PatrolError(_("请选择检查表。"))
        if not checklist.is_active:
            raise PatrolError(_("检查表“%(name)s”已停用。") % {"name": checklist.name})
        main = _published(checklist)
        points = []
        places = [place]
    versions[main.pk] = main
    own = {}
    for point in points:
        if point.checklist_id and point.checklist_id != main.checklist_id:
            version = point.checklist.current_version()
            if version is not None:
                versions[version.pk] = version
                own[point.pk] = version.pk
    tokens = QrCode.objects.for_objects(places)
    if expected is not None and (
        route is None or expected.school_id != school.pk or expected.plan.route_id != route.pk
    ):
        expected = None
    checkpoints = [
        {
            "id": point.pk,
            "order": index,
            "place": _place_data(point.place, tokens.get(point.place_id, "")),
            "checklist_version": own.get(point.pk, main.pk),
        }
        for index, point in enumerate(points)
    ]
    if place is not None:
        checkpoints = [
            {"id": None, "order": 0, "place": _place_data(place, tokens.get(place.pk, ""))}
        ]
        checkpoints[0]["checklist_version"] = main.pk
    versions_data = [
        _version_data(version)
        for version in ChecklistVersion.objects.filter(pk__in=versions)
        .select_related("checklist")
        .prefetch_related("items")
        .order_by("pk")
    ]
    photo_url = _reverse_or_blank("patrols:answer_photo", uuid=uuid.UUID(int=0))
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "route" if route else "place",
        "route": {"id": route.pk, "name": route.name} if route else None,
        "place": place.pk if place else None,
        "checklist_version": main.pk,
        "checklist": {
            "id": main.checklist_id,
            "name": main.checklist.name,
            "kind": main.checklist.kind,
            "number": main.number,
        },
        "checkpoints": checkpoints,
        "versions": versions_data,
        "expected": {
            "id": expected.pk,
            "day": expected.day.isoformat(),
            "due_at": expected.due_at.isoformat(),
            "plan": expected.plan.name,
        }
        if expected is not None
        else None,
        "patroller": {"id": staff.pk, "name": staff.name},
        "urls": {
            "sync": _reverse_or_blank("patrols:sync"),
            # "{uuid}" stands for the answer's UUID.
            "photo": photo_url.replace(str(uuid.UUID(int=0)), "{uuid}"),
            "today": _reverse_or_blank("patrols:today"),
        },
        "clock_skew_seconds": int(CLOCK_SKEW.total_seconds()),
        "generated_at": now.isoformat(),
    }


# --- the sync ---------------------------------------------------------------------------


def sync_batch(staff, payload, *, now=None):
    """The whole POST body: ``{"rounds": [...]}`` → ``{"rounds": [result, ...]}``, each
    round in its own transaction. Raises ``SyncPayloadError`` for any other shape."""
    if not isinstance(payload, dict) or not isinstance(payload.get("rounds"), list):
        raise SyncPayloadError("expected {'rounds': [...]}")
    if not all(isinstance(data, dict) for data in payload["rounds"]):
        raise SyncPayloadError("each round must be an object")
    return {"rounds": [sync_round(staff, data, now=now) for data in payload["rounds"]]}


def sync_round(staff, data, now=None):
    """Upsert one round the phone sent (the whole round, as often as it likes).

    The first sync creates the round (the sender is the patroller); later ones update its
    note, visits and answers while it is in progress; the first with ``finished_at``
    finishes it (missed checkpoints, failed items, a hazard per failed answer, the
    expected round done, the managers told). A finished round is frozen: a later sync is
    accepted and changes nothing. A round that cannot be accepted at all comes back with
    ``errors`` and nothing of it saved.

    Returns ``{"uuid", "id", "url", "state", "hazards": [{id, number, url}], "errors"}``.
    """
    now = _now(now)
    result = {"uuid": data.get("uuid"), "id": None, "url": "", "state": "", "hazards": []}
    try:
        for attempt in range(2):
            try:
                with transaction.atomic():
                    round_ = _sync(staff, data, now)
                break
            except IntegrityError:
                # The same new round sent twice at once: the second finds the first's.
                if attempt:
                    raise PatrolError(_("巡查记录保存冲突，请稍后再同步。")) from None
    except PatrolError as error:
        return {**result, "errors": [str(error)]}
    hazards = [
        answer.hazard
        for answer in round_.answers.filter(hazard__isnull=False).select_related("hazard")
    ]
    return {
        **result,
        "uuid": str(round_.client_uuid),
        "id": round_.pk,
        "url": _url(round_),
        "state": round_.state,
        "hazards": [
            {"id": hazard.pk, "number": hazard.number, "url": _url(hazard)} for hazard in hazards
        ],
        "errors": [],
    }


def _uuid(value, what):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise PatrolError(_("%(what)s编号格式不正确。") % {"what": what}) from None


def _id(value, what, *, required=False):
    if value in (None, ""):
        if required:
            raise PatrolError(_("缺少%(what)s。") % {"what": what})
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PatrolError(_("%(what)s格式不正确。") % {"what": what})
    try:
        return int(value)
    except ValueError:
        raise PatrolError(_("%(what)s格式不正确。") % {"what": what}) from None


def _moment(value, school, now, what, *, required=False):
    """A phone time: ISO 8601 (a naive one is the school's local time), no later than
    our clock plus the allowed skew."""
    if value in (None, ""):
        if required:
            raise PatrolError(_("缺少%(what)s。") % {"what": what})
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise PatrolError(_("%(what)s格式不正确。") % {"what": what})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=school_tz(school))
    return min(moment, now + CLOCK_SKEW)


def _text(value, limit):
    return str(value or "").strip()[:limit]


def _number(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise PatrolError(_("数值格式不正确。"))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise PatrolError(_("数值格式不正确：%(value)s") % {"value": str(value)[:20]}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        raise PatrolError(_("数值超出范围：%(value)s") % {"value": str(value)[:20]})
    return number.quantize(Decimal("0.01"))


def _list(data, key):
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise PatrolError(_("数据格式不正确。"))
    return value


def _sync(staff, data, now):
    school = staff.school
    if school is None:
        raise PatrolError(_("您不属于任何学校，不能巡查。"))
    client_uuid = _uuid(data.get("uuid"), _("巡查记录"))
    round_ = (
        Round.objects.select_for_update(of=("self",))
        .select_related("route", "checklist_version")
        .filter(client_uuid=client_uuid)
        .first()
    )
    if round_ is not None:
        if round_.school_id != school.pk or round_.patroller_id != staff.pk:
            raise PatrolError(_("这条巡查记录是别人开始的，不能由您同步。"))
        if round_.state == Round.State.FINISHED:
            return round_
    else:
        round_ = _new_round(staff, data, client_uuid, now)
    context = _RoundContext(round_)
    round_.note = _text(data.get("note"), 500)
    round_.save(update_fields=["note", "updated_at"])
    _sync_visits(round_, context, _list(data, "visits"), now)
    _sync_answers(round_, context, _list(data, "answers"), now)
    finished_at = _moment(data.get("finished_at"), school, now, _("结束时间"))
    if finished_at is not None:
        _finish(round_, context, max(finished_at, round_.started_at), now)
    return round_


def _new_round(staff, data, client_uuid, now):
    school = staff.school
    route_id = _id(data.get("route"), _("巡查路线"))
    place_id = _id(data.get("place"), _("检查场所"))
    version_id = _id(data.get("checklist_version"), _("检查表版本"), required=True)
    route = place = None
    if route_id is not None:
        route = Route.objects.filter(pk=route_id, school=school).first()
        if route is None:
            raise PatrolError(_("没有找到这条巡查路线。"))
    elif place_id is not None:
        place = Place.objects.filter(pk=place_id, school=school).first()
        if place is None:
            raise PatrolError(_("没有找到这个检查场所。"))
    else:
        raise PatrolError(_("缺少巡查路线或检查场所。"))
    version = (
        ChecklistVersion.objects.select_related("checklist")
        .filter(pk=version_id, checklist__school=school)
        .first()
    )
    if version is None:
        raise PatrolError(_("没有找到这个检查表版本。"))
    # A version of another checklist than the route's is kept too: the route may have
    # been switched to a new checklist while the phone walked offline.
    if version.is_draft:
        raise PatrolError(_("检查表版本还没有发布，不能用于巡查。"))
    expected = None
    expected_id = _id(data.get("expected"), _("应巡任务"))
    if expected_id is not None:
        expected = (
            ExpectedRound.objects.select_for_update()
            .select_related("plan")
            .filter(pk=expected_id, school=school)
            .first()
        )
        if expected is None or route is None or expected.plan.route_id != route.pk:
            raise PatrolError(_("应巡任务与这次巡查不符。"))
        # Done already by another round (a colleague walked it): this one stands alone.
        if Round.objects.filter(expected=expected).exists():
            expected = None
    return Round.objects.create(
        school=school,
        client_uuid=client_uuid,
        checklist_version=version,
        route=route,
        place=place,
        expected=expected,
        patroller=staff,
        started_at=_moment(data.get("started_at"), school, now, _("开始时间"), required=True),
    )


class _RoundContext:
    """What a round's visits and answers are checked against, read once per sync."""

    def __init__(self, round_):
        self.round = round_
        if round_.route_id:
            self.checkpoints = {point.place_id: point for point in round_.route.checkpoints.all()}
        else:
            self.checkpoints = {}
        self.visited = set(round_.visits.values_list("place_id", flat=True))
        self.own_checklists = {
            place_id: point.checklist_id
            for place_id, point in self.checkpoints.items()
            if point.checklist_id
        }

    def places(self):
        ids = set(self.checkpoints) | self.visited
        if self.round.place_id:
            ids.add(self.round.place_id)
        return ids

    def place_for(self, place_id):
        """A place of the round: a checkpoint, the round's place, or one visited earlier
        in this round (a checkpoint taken off the route since). Else the round is refused."""
        if place_id in self.places():
            return place_id
        raise PatrolError(_("场所不在这次巡查的范围内。"))


def _place_tokens(place_ids):
    from django.contrib.contenttypes.models import ContentType

    from houqin.qr.models import QrCode

    return dict(
        QrCode.objects.filter(
            content_type=ContentType.objects.get_for_model(Place), object_id__in=place_ids
        ).values_list("object_id", "token")
    )


def _sync_visits(round_, context, rows, now):
    if not rows:
        return
    school = round_.school
    parsed = []
    for row in rows:
        place_id = _id(row.get("place"), _("场所"), required=True)
        # A place of the school that is not a checkpoint (any more) is kept, but proves
        # nothing about the route; another school's place refuses the round.
        if (
            place_id not in context.places()
            and not Place.objects.filter(pk=place_id, school=school).exists()
        ):
            raise PatrolError(_("场所不在这次巡查的范围内。"))
        parsed.append(
            (
                _uuid(row.get("uuid"), _("到点记录")),
                place_id,
                _text(row.get("token"), 20).upper(),
                row.get("method"),
                _moment(row.get("scanned_at"), school, now, _("到达时间"), required=True),
            )
        )
    tokens = _place_tokens({place_id for _u, place_id, *_rest in parsed})
    existing = {
        visit.client_uuid: visit
        for visit in Visit.objects.filter(client_uuid__in=[row[0] for row in parsed])
    }
    for client_uuid, place_id, token, method, scanned_at in parsed:
        visit = existing.get(client_uuid)
        if visit is not None:
            if visit.round_id != round_.pk:
                raise PatrolError(_("到点记录编号重复。"))
            continue
        if place_id in context.visited:
            continue  # a second scan of the same checkpoint
        # A scan proves presence only with the label's own token; anything else is kept
        # as a manual confirmation (shown as such, and the checkpoint counts as missed).
        proven = method == Visit.Method.QR and token and tokens.get(place_id) == token
        point = context.checkpoints.get(place_id)
        Visit.objects.create(
            client_uuid=client_uuid,
            round=round_,
            place_id=place_id,
            checkpoint=point,
            method=Visit.Method.QR if proven else Visit.Method.MANUAL,
            scanned_at=scanned_at,
        )
        context.visited.add(place_id)


def _allowed_items(round_, context, item_ids):
    items = {
        item.pk: item
        for item in ChecklistItem.objects.select_related("version").filter(
            pk__in=item_ids, version__checklist__school_id=round_.school_id
        )
    }
    if len(items) != len(set(item_ids)):
        raise PatrolError(_("检查项不属于这次巡查的检查表。"))
    return items


def _item_allowed(round_, context, item, place_id):
    if item.version_id == round_.checklist_version_id:
        return True
    own = context.own_checklists.get(place_id)
    return own is not None and item.version.checklist_id == own and not item.version.is_draft


def _sync_answers(round_, context, rows, now):
    if not rows:
        return
    school = round_.school
    parsed = []
    for row in rows:
        result = row.get("result") or ""
        if result not in ("", *Result.values):
            raise PatrolError(_("检查结果格式不正确。"))
        parsed.append(
            {
                "uuid": _uuid(row.get("uuid"), _("检查结果")),
                "item": _id(row.get("item"), _("检查项"), required=True),
                "place": context.place_for(_id(row.get("place"), _("场所"), required=True)),
                "result": result,
                "number": _number(row.get("number")),
                "text": _text(row.get("text"), 500),
                "note": _text(row.get("note"), 500),
                "answered_at": _moment(
                    row.get("answered_at"), school, now, _("回答时间"), required=True
                ),
            }
        )
    items = _allowed_items(round_, context, [row["item"] for row in parsed])
    for row in parsed:
        if not _item_allowed(round_, context, items[row["item"]], row["place"]):
            raise PatrolError(_("检查项不属于这次巡查的检查表。"))
    answers = list(round_.answers.select_related("item"))
    before = _mismatches(answers)
    by_uuid = {answer.client_uuid: answer for answer in answers}
    by_slot = {(answer.place_id, answer.item_id): answer for answer in answers}
    elsewhere = set(
        Answer.objects.filter(client_uuid__in=[row["uuid"] for row in parsed])
        .exclude(round=round_)
        .values_list("client_uuid", flat=True)
    )
    if elsewhere:
        raise PatrolError(_("检查结果编号重复。"))
    for row in parsed:
        item = items[row["item"]]
        answer = by_uuid.get(row["uuid"]) or by_slot.get((row["place"], item.pk))
        if answer is None:
            answer = Answer(client_uuid=row["uuid"], round=round_, item=item)
        answer.place_id = row["place"]
        answer.result = _judge(item, row["result"], row["number"])
        answer.number = row["number"]
        answer.text = row["text"]
        answer.note = row["note"]
        answer.answered_at = row["answered_at"]
        answer.save()
        by_uuid[answer.client_uuid] = answer
        by_slot[(answer.place_id, item.pk)] = answer
    answers = list(by_slot.values())
    after = _mismatches(answers)
    for answer in answers:
        if answer.pk in after:
            answer.result = Result.FAIL
            answer.save(update_fields=["result"])
    for answer_pk in after - before:
        _count_alarm(round_, next(a for a in answers if a.pk == answer_pk))


def _judge(item, result, number):
    """A number outside the item's limits fails whatever the phone said; a number within
    them passes unless the patroller marked it otherwise."""
    if item.answer_type == AnswerType.NUMBER and number is not None:
        too_low = item.min_value is not None and number < item.min_value
        too_high = item.max_value is not None and number > item.max_value
        if too_low or too_high:
            return Result.FAIL
        return result or Result.PASS
    return result


def _mismatches(answers):
    """Answers whose number differs from the one their item must equal (same place)."""
    by_key = {(answer.place_id, answer.item.key): answer for answer in answers}
    found = set()
    for answer in answers:
        key = answer.item.must_equal_key
        if not key or answer.number is None:
            continue
        other = by_key.get((answer.place_id, key))
        if other is not None and other.number is not None and other.number != answer.number:
            found.add(answer.pk)
    return found


def _count_alarm(round_, answer):
    """The escort's off count differs from the on count: the managers told at once."""
    other = (
        Answer.objects.filter(
            round=round_, place_id=answer.place_id, item__key=answer.item.must_equal_key
        )
        .select_related("item")
        .first()
    )
    place = Place.objects.select_related("building").get(pk=answer.place_id)
    _notify_managers(
        round_.school,
        event=EVENT_COUNT_MISMATCH,
        title=_("人数不符：%(place)s") % {"place": place.full_name},
        body=_(
            "%(patroller)s 记录“%(item)s”为 %(number)s，与“%(other)s” %(other_number)s 不一致，请立即核实。"
        )
        % {
            "patroller": round_.patroller.name,
            "item": answer.item.text,
            "number": _plain(answer.number),
            "other": other.item.text if other else "",
            "other_number": _plain(other.number) if other else "",
        },
        url=_url(round_),
        campus_id=place.campus_id,
    )


def _plain(number):
    return "" if number is None else f"{number.normalize():f}"


def _finish(round_, context, finished_at, now):
    from houqin.hazards.models import Domain, Source
    from houqin.hazards.services import HazardError, hazard_report

    points = list(context.checkpoints) if round_.route_id else [round_.place_id]
    proven = set(round_.visits.filter(method=Visit.Method.QR).values_list("place_id", flat=True))
    missed = [place_id for place_id in points if place_id not in proven]
    answers = list(
        round_.answers.select_related("item", "place__building").order_by("answered_at", "pk")
    )
    failed = [answer for answer in answers if answer.failed]
    round_.state = Round.State.FINISHED
    round_.finished_at = finished_at
    round_.missed_checkpoints = len(missed)
    round_.failed_items = len(failed)
    round_.save(
        update_fields=["state", "finished_at", "missed_checkpoints", "failed_items", "updated_at"]
    )
    for answer in failed:
        if answer.hazard_id:
            continue
        item = answer.item
        title = item.text
        if answer.note:
            title = f"{title}：{answer.note}"
        domain = item.hazard_domain if item.hazard_domain in Domain.values else Domain.OTHER
        try:
            answer.hazard = hazard_report(
                school=round_.school,
                by=round_.patroller,
                title=title,
                domain=domain,
                place=answer.place,
                detail=_hazard_detail(round_, answer),
                source=Source.PATROL,
                now=now,
            )
        except HazardError as error:
            raise PatrolError(str(error)) from None
        answer.save(update_fields=["hazard"])
    if round_.expected_id:
        expected = ExpectedRound.objects.select_for_update().get(pk=round_.expected_id)
        # Synced after the missed-round flag but finished in time: done after all.
        if expected.state == ExpectedRound.State.PENDING or (
            expected.state == ExpectedRound.State.MISSED and finished_at <= expected.due_at
        ):
            expected.state = ExpectedRound.State.DONE
            expected.save(update_fields=["state", "updated_at"])
    if missed:
        names = list(
            Place.objects.filter(pk__in=missed)
            .select_related("building")
            .order_by("code")
            .values_list("name", flat=True)[:10]
        )
        _notify_managers(
            round_.school,
            event=EVENT_MISSED_CHECKPOINTS,
            title=_("巡查漏检 %(count)d 个点：%(round)s")
            % {"count": len(missed), "round": round_.route or round_.place},
            body=_("%(patroller)s 没有扫码到达：%(places)s")
            % {"patroller": round_.patroller.name, "places": "、".join(names)},
            url=_url(round_),
            campus_id=round_.route.campus_id if round_.route_id else None,
        )


def _hazard_detail(round_, answer):
    parts = [
        _("巡查发现：%(what)s，%(who)s，%(when)s")
        % {
            "what": round_.route.name if round_.route_id else round_.checklist_version.checklist,
            "who": round_.patroller.name,
            "when": f"{timezone.localtime(answer.answered_at, school_tz(round_.school)):%Y-%m-%d %H:%M}",
        }
    ]
    if answer.number is not None:
        parts.append(
            _("记录数值 %(number)s%(unit)s")
            % {"number": _plain(answer.number), "unit": answer.item.unit}
        )
    if answer.text:
        parts.append(answer.text)
    return "\n".join(parts)


# --- answer photos ----------------------------------------------------------------------


def attach_answer_photo(staff, answer_uuid, photo_uuid, file):
    """Attach an uploaded photo to an answer, once per ``photo_uuid`` (a retried upload
    returns the first). Returns ``(attachment, created)``."""
    answer_uuid = _uuid(answer_uuid, _("检查结果"))
    photo_uuid = _uuid(photo_uuid, _("照片"))
    answer = (
        Answer.objects.select_related("round")
        .filter(client_uuid=answer_uuid, round__school_id=staff.school_id)
        .first()
    )
    if answer is None:
        raise PatrolNotFound(_("没有找到这条检查结果，请先同步巡查记录。"))
    if answer.round.patroller_id != staff.pk and not (
        staff.user_id and staff.user.has_perm("patrols.manage")
    ):
        raise PatrolError(_("只有巡查人可以上传这条检查结果的照片。"))
    return workflow.attach_client_photo(
        AnswerPhoto, "answer", answer, photo_uuid, file, user=staff.user, error=PatrolError
    )
