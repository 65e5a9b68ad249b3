"""The round on the phone: the chooser of a free inspection, the round page that works
with no signal, and the two endpoints the page sends the round and its photos to.

The round page carries everything the walk needs (``services.round_payload``) as JSON;
``static/houqin/patrol.js`` keeps the round in the browser and POSTs the whole round to
``sync`` whenever it can (the protocol is in ``services.sync_round``)."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.forms import StyledForm
from houqin.core.widgets import PickerWidget
from houqin.org.models import Place
from houqin.patrols import services
from houqin.patrols.models import Answer, Checklist, ExpectedRound, Route
from houqin.qr.registry import scan_url

PATROL = "patrols.patrol"
# patrol.js sends its rounds in batches of 20; a bigger batch does not come from our page.
MAX_ROUNDS = 50


class InspectionForm(StyledForm):
    """A free inspection: which checklist, of which place."""

    checklist = forms.ModelChoiceField(
        label=gettext_lazy("检查表"),
        queryset=Checklist.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择检查表。"),
            "invalid_choice": gettext_lazy("这个检查表不能使用，请重新选择。"),
        },
    )
    place = forms.ModelChoiceField(
        label=gettext_lazy("检查场所"),
        queryset=Place.objects.none(),
        error_messages={
            "required": gettext_lazy(
                "请选择检查场所：扫描场所门口的二维码，或输入名称、编码搜索。"
            ),
            "invalid_choice": gettext_lazy("没有找到这个场所，请重新选择。"),
        },
    )
    # The place's QR token when the person scanned it on the way here (proof of presence).
    token = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = usable_checklists(user)
        self.fields["checklist"].label_from_instance = lambda checklist: (
            f"{checklist.name}（{checklist.get_kind_display()}）"
        )
        self.fields["place"].queryset = Place.objects.for_user(user).active()
        self.fields["place"].widget = PickerWidget("org:pick_places", Place)


def usable_checklists(user):
    """Active checklists of the user's school with a published version."""
    return (
        Checklist.objects.for_user(user)
        .filter(is_active=True, versions__published_at__isnull=False)
        .distinct()
        .order_by("kind", "name", "pk")
    )


@school_required(perm=PATROL)
def round_new(request):
    """检查: choose a checklist and a place (or scan the place), or a route to walk."""
    if "checklist" in request.GET:
        form = InspectionForm(request.GET, user=request.user)
        if form.is_valid():
            query = {
                "place": form.cleaned_data["place"].pk,
                "checklist": form.cleaned_data["checklist"].pk,
            }
            if form.cleaned_data["token"]:
                query["token"] = form.cleaned_data["token"]
            return redirect(f"{reverse('patrols:round_start')}?{urlencode(query)}")
    else:
        initial = {"token": request.GET.get("token", "")}
        place = _place_or_none(request, request.GET.get("place"))
        if request.GET.get("place") and place is None:
            messages.error(request, _("没有找到这个场所，请重新选择检查场所。"))
        if place is not None:
            initial["place"] = place.pk
        form = InspectionForm(initial=initial, user=request.user)
    routes = (
        Route.objects.for_user(request.user)
        .filter(is_active=True, checklist__versions__published_at__isnull=False)
        .select_related("checklist")
        .distinct()
        .order_by("name", "pk")
    )
    context = {
        "form": form,
        "routes": routes,
        "scan_url": scan_url("inspect"),
    }
    return render(request, "patrols/phone/new.html", context)


def _place_or_none(request, place_id):
    if not place_id:
        return None
    try:
        return Place.objects.for_user(request.user).active().filter(pk=int(place_id)).first()
    except (TypeError, ValueError):
        return None


@school_required(perm=PATROL)
def round_start(request):
    """The round page: ``?expected=<id>`` (a scheduled round), ``?route=<id>`` or
    ``?place=<id>&checklist=<id>`` (a free inspection)."""
    params = request.GET
    expected = checklist = None
    # 今日巡查 links its tasks with ?plan_round=<id>.
    expected_id = params.get("expected") or params.get("plan_round")
    if expected_id:
        expected = get_for_user(
            request, ExpectedRound.objects.select_related("plan__route"), expected_id
        )
        # The route too must be within reach (a campus-limited user, another campus).
        target = get_for_user(request, Route, expected.plan.route_id)
        if expected.state == ExpectedRound.State.DONE:
            messages.info(request, _("这次巡查任务已经完成；再巡查一次会单独记录。"))
            expected = None
        key = f"expected:{expected.pk}" if expected else f"route:{target.pk}"
    elif params.get("route"):
        target = get_for_user(request, Route.objects.select_related("checklist"), params["route"])
        key = f"route:{target.pk}"
    elif params.get("place") and params.get("checklist"):
        target = get_for_user(request, Place, params["place"])
        checklist = get_for_user(request, Checklist, params["checklist"])
        key = f"place:{target.pk}:{checklist.pk}"
    else:
        return redirect(f"{reverse('patrols:round_new')}?{params.urlencode()}")
    try:
        payload = services.round_payload(
            target, request.staff, expected=expected, checklist=checklist
        )
    except services.PatrolNotFound:
        raise Http404 from None
    except services.PatrolError as error:
        return render(request, "patrols/phone/refused.html", {"message": str(error)})
    title = f"{checklist.name} · {target.name}" if checklist is not None else target.name
    payload["page"] = {
        "key": key,
        "title": title,
        "scanned_token": _scanned_token(payload, params.get("token")),
    }
    context = {
        "payload": payload,
        "expected": expected,
        "title": title,
        "texts": round_texts(),
        "jsqr_url": static("vendor/jsqr/jsQR.js"),
        "is_route": payload["route"] is not None,
    }
    return render(request, "patrols/phone/round.html", context)


def _scanned_token(payload, token):
    """The place's own token from the chooser's scan; anything else proves nothing."""
    token = (token or "").strip().upper()
    points = payload["checkpoints"]
    if token and payload["place"] and points and points[0]["place"]["token"] == token:
        return token
    return ""


@require_POST
@school_required(perm=PATROL)
def sync(request):
    """The phone's rounds, the whole of each, as often as it likes: JSON in, JSON out."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("同步数据不是有效的 JSON。")}, status=400)
    rounds = body.get("rounds") if isinstance(body, dict) else None
    if isinstance(rounds, list) and len(rounds) > MAX_ROUNDS:
        return JsonResponse(
            {"error": _("一次最多同步 %(count)d 条巡查记录。") % {"count": MAX_ROUNDS}},
            status=400,
        )
    try:
        result = services.sync_batch(request.staff, body)
    except services.SyncPayloadError:
        return JsonResponse({"error": _("同步数据格式不正确。")}, status=400)
    return JsonResponse(result)


@require_POST
@school_required(perm=PATROL)
def answer_photo(request, uuid):
    """One photo of an answer (multipart ``photo`` + ``photo_uuid``); a retried upload
    with the same ``photo_uuid`` attaches nothing twice."""
    answer = Answer.objects.filter(client_uuid=uuid, round__school=request.school).first()
    if answer is None:
        raise Http404
    try:
        attachment, created = services.attach_answer_photo(
            request.staff,
            uuid,
            request.POST.get("photo_uuid"),
            request.FILES.get("photo"),
        )
    except services.PatrolNotFound:
        raise Http404 from None
    except services.PatrolError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {"id": attachment.pk, "created": created},
        status=201 if created else 200,
    )


def round_texts():
    """What patrol.js says on the round page; %(name)s is filled in by the page."""
    return {
        "scanHere": _("扫码到点"),
        "scanPlace": _("扫码确认到场"),
        "noItems": _("这个点没有检查项，扫码到点即可。"),
        "visitedQr": _("已到 %(time)s"),
        "visitedManual": _("手动确认 %(time)s"),
        "notVisited": _("未到"),
        "notScanned": _("未扫码"),
        "result_pass": _("合格"),
        "result_fail": _("不合格"),
        "result_na": _("不适用"),
        "range": _("正常范围 %(min)s～%(max)s"),
        "atLeast": _("不低于 %(min)s"),
        "atMost": _("不高于 %(max)s"),
        "noteLabel": _("问题说明"),
        "notePlaceholder": _("写清哪里有问题，会写进隐患"),
        "takePhoto": _("拍照"),
        "photoRequired": _("不合格须拍照"),
        "photoUploaded": _("已上传"),
        "photoWaiting": _("待上传"),
        "photoNotKept": _("照片没能保存在本机（存储空间不足或浏览器禁止），请重拍。"),
        "notANumber": _("请输入数字。"),
        "outOfRange": _("超出正常范围，按不合格记录。"),
        "mismatch": _("与“%(other)s”（%(expected)s）不一致，按不合格记录。"),
        "mismatchAlarm": _(
            "人数不符：“%(item)s”为 %(value)s，“%(other)s”为 %(expected)s。请立即核实！"
        ),
        "progress": _("%(done)s/%(total)s 点"),
        "blockPhoto": _("%(place)s：“%(item)s”不合格，须拍照"),
        "blockRequired": _("%(place)s：“%(item)s”还没有填写"),
        "cannotFinish": _("还不能完成："),
        "nothingYet": _("还没有扫码到点或填写检查项。"),
        "missedConfirm": _("还有 %(count)s 个点未到：%(names)s。未到的点会报告给管理人员。"),
        "savedOffline": _("已保存，联网后自动上传。"),
        "photosWaiting": _("记录已上传，还有 %(count)s 张照片待上传。"),
        "uploaded": _("已上传。"),
        "refused": _("服务器没有接受这条记录：%(reason)s"),
        "noHazards": _("没有发现隐患。"),
        "hazardsLater": _("上传后自动生成隐患编号。"),
        "unknownQr": _("这个二维码不是本次巡查的巡查点。"),
        "unknownCode": _("没有找到这个编码的巡查点，请核对标签上的编码。"),
        "alreadyVisited": _("“%(name)s”已在 %(time)s 到过。"),
        "arrived": _("已到：%(name)s"),
        "arrivedManual": _("已手动确认到点：%(name)s（手动输入不作为到场凭证）"),
        "scanInsecure": _(
            "当前是 http 连接，浏览器不允许网页直接使用摄像头。请点“拍照识别”拍下标签，或手动输入编码。"
        ),
        "scanStarting": _("正在打开摄像头…"),
        "scanScanning": _("请把二维码放在框内，保持稳定。"),
        "scanDenied": _(
            "没有摄像头权限。请在浏览器设置中允许本网站使用摄像头，或改用拍照识别、手动输入。"
        ),
        "scanNoCamera": _("没有找到可用的摄像头。请改用拍照识别或手动输入编码。"),
        "scanCameraError": _("摄像头打开失败，请改用拍照识别或手动输入编码。"),
        "scanReading": _("正在识别照片…"),
        "scanPhotoFailed": _(
            "照片里没有找到二维码。请靠近一些、对准标签、避免反光后重拍，或手动输入编码。"
        ),
    }
