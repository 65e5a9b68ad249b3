"""Positions people hold, and the permissions each grants.

Permissions are plain strings checked with ``user.has_perm`` (and ``perms`` in templates);
``StaffLoginBackend`` answers them from the user's appointments. A module adds its own
permissions to ``PERMISSIONS`` and grants them in ``GRANTS``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Position(models.TextChoices):
    PRINCIPAL = "principal", _("校长")
    VICE_PRINCIPAL = "vice_principal", _("分管副校长")
    LOGISTICS_MANAGER = "logistics_manager", _("后勤管理员")
    ASSET_CLERK = "asset_clerk", _("资产管理员")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    GRADE_LEADER = "grade_leader", _("年级组长")
    CLASS_TEACHER = "class_teacher", _("班主任")
    TEACHER = "teacher", _("教师")
    DUTY_ADMIN = "duty_admin", _("值日行政")
    CANTEEN_MANAGER = "canteen_manager", _("食堂管理员")
    CANTEEN_STAFF = "canteen_staff", _("食堂员工")
    CLEANING_STAFF = "cleaning_staff", _("保洁员")
    SECURITY_STAFF = "security_staff", _("保安")
    MAINTENANCE_STAFF = "maintenance_staff", _("维修工")
    DRIVER = "driver", _("校车司机")
    BUS_ESCORT = "bus_escort", _("校车照管员")
    UNION_CHAIR = "union_chair", _("工会主席")
    DISTRICT_OFFICER = "district_officer", _("区县教育局")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


PERMISSIONS = {
    "org.view_org": _("查看场所、部门、班级"),
    "org.manage_places": _("管理校区、楼宇和场所"),
    "org.manage_classes": _("管理年级和班级"),
    "org.manage_departments": _("管理部门"),
    "org.manage_calendar": _("管理学年、学期和校历"),
    "org.manage_settings": _("修改学校设置"),
    "org.import_export": _("导入导出人员、场所和班级"),
    "accounts.view_staff": _("查看教职工通讯录"),
    "accounts.manage_staff": _("管理教职工和账号"),
    "accounts.view_login_records": _("查看登录记录、解除锁定"),
    "accounts.view_audit_log": _("查看审计日志"),
    "district.view_schools": _("查看辖区学校"),
    "approvals.manage_flows": _("配置审批流程"),
    "notifications.manage_channels": _("配置通知渠道（邮件、企业微信和钉钉群机器人）"),
    "notifications.view_outbox": _("查看消息发送队列"),
    "schedules.manage": _("管理定时任务和提醒"),
    "qr.print_labels": _("打印二维码标签"),
    "repairs.report": _("报修"),
    "repairs.work": _("接单维修"),
    "repairs.manage": _("派单和管理报修"),
    "repairs.view_all": _("查看全校报修和统计"),
    "leave.apply": _("请假和申请出门"),
    "leave.view_all": _("查看全校请假、外出和考勤统计"),
    "leave.arrange_cover": _("安排代课和代班主任"),
    "leave.gate": _("门岗登记出门条"),
    "leave.manage": _("管理请假类型、销假和缺勤记录"),
    "patrols.patrol": _("巡查和检查（手机巡查）"),
    "patrols.manage": _("管理检查表、巡查路线和安排，查看全校巡查记录"),
    "patrols.view_all": _("查看全校巡查记录和覆盖情况"),
    "hazards.report": _("上报隐患"),
    "hazards.manage": _("管理隐患台账：指派、验证、销号"),
    "hazards.view_all": _("查看全校隐患台账和统计"),
    "hazards.view_district": _("查看辖区学校的重大隐患"),
    "assets.view_own": _("查看本人使用和保管的资产"),
    "assets.manage": _("管理资产卡片、验收入账和折旧"),
    "assets.view_all": _("查看全校资产和报表"),
    "assets.view_district": _("查看辖区学校的资产"),
    "supplies.request": _("领用和归还物品"),
    "supplies.manage": _("管理物品、入库、发放和盘库"),
    "supplies.view_all": _("查看全校物品领用统计"),
}

STAFF_BASE = {
    "org.view_org",
    "repairs.report",
    "leave.apply",
    "hazards.report",
    "assets.view_own",
    "supplies.request",
}
MANAGEMENT = STAFF_BASE | {"accounts.view_staff"}

GRANTS = {
    Position.PRINCIPAL: MANAGEMENT
    | {
        "org.manage_calendar",
        "approvals.manage_flows",
        "repairs.view_all",
        "leave.view_all",
        "leave.arrange_cover",
        "patrols.patrol",
        "patrols.view_all",
        "hazards.view_all",
        "assets.view_all",
        "supplies.view_all",
    },
    Position.VICE_PRINCIPAL: MANAGEMENT
    | {
        "repairs.view_all",
        "leave.view_all",
        "leave.arrange_cover",
        "patrols.patrol",
        "patrols.view_all",
        "hazards.view_all",
        "assets.view_all",
        "supplies.view_all",
    },
    Position.LOGISTICS_MANAGER: MANAGEMENT
    | {
        "org.manage_places",
        "org.manage_classes",
        "org.import_export",
        "schedules.manage",
        "qr.print_labels",
        "repairs.manage",
        "repairs.view_all",
        "leave.manage",
        "leave.view_all",
        "leave.arrange_cover",
        "patrols.patrol",
        "patrols.manage",
        "patrols.view_all",
        "hazards.manage",
        "hazards.view_all",
        "assets.manage",
        "assets.view_all",
        "supplies.manage",
        "supplies.view_all",
    },
    Position.ASSET_CLERK: STAFF_BASE
    | {
        "org.manage_places",
        "qr.print_labels",
        "assets.manage",
        "assets.view_all",
        "supplies.manage",
        "supplies.view_all",
    },
    Position.DEPARTMENT_HEAD: MANAGEMENT | {"leave.arrange_cover"},
    Position.GRADE_LEADER: MANAGEMENT,
    Position.CLASS_TEACHER: STAFF_BASE,
    Position.TEACHER: STAFF_BASE,
    Position.DUTY_ADMIN: MANAGEMENT | {"patrols.patrol"},
    Position.CANTEEN_MANAGER: STAFF_BASE | {"patrols.patrol"},
    Position.CANTEEN_STAFF: STAFF_BASE,
    Position.CLEANING_STAFF: STAFF_BASE,
    Position.SECURITY_STAFF: STAFF_BASE | {"leave.gate", "patrols.patrol"},
    Position.MAINTENANCE_STAFF: STAFF_BASE | {"repairs.work"},
    Position.DRIVER: STAFF_BASE | {"patrols.patrol"},
    Position.BUS_ESCORT: STAFF_BASE | {"patrols.patrol"},
    Position.UNION_CHAIR: STAFF_BASE,
    Position.DISTRICT_OFFICER: {
        "district.view_schools",
        "hazards.view_district",
        "assets.view_district",
    },
    # 三员分立: the system administrator runs the school's data but reads no audit log;
    # the security administrator watches sign-ins; the audit administrator reads the log.
    Position.SYSTEM_ADMIN: MANAGEMENT
    | {
        "org.manage_places",
        "org.manage_classes",
        "org.manage_departments",
        "org.manage_calendar",
        "org.manage_settings",
        "org.import_export",
        "accounts.manage_staff",
        "approvals.manage_flows",
        "notifications.manage_channels",
        "notifications.view_outbox",
        "schedules.manage",
        "qr.print_labels",
        "repairs.manage",
        "repairs.view_all",
        "leave.manage",
        "leave.view_all",
        "leave.arrange_cover",
        "patrols.patrol",
        "patrols.manage",
        "patrols.view_all",
        "hazards.manage",
        "hazards.view_all",
        "assets.manage",
        "assets.view_all",
        "supplies.manage",
        "supplies.view_all",
    },
    Position.SECURITY_ADMIN: STAFF_BASE | {"accounts.view_login_records"},
    Position.AUDIT_ADMIN: STAFF_BASE | {"accounts.view_audit_log"},
}

# Leaders whose leave goes straight to the principal; used by the approval flows.
LEADER_POSITIONS = {Position.PRINCIPAL, Position.VICE_PRINCIPAL}


# Holding the left permission is authority over the right ones: whoever manages repairs
# may appoint the workers who do them (e.g. importing 维修工).
IMPLIES = {
    "repairs.manage": {"repairs.work", "repairs.view_all"},
    "leave.manage": {"leave.gate", "leave.view_all", "leave.arrange_cover"},
    "patrols.manage": {"patrols.patrol", "patrols.view_all"},
    "hazards.manage": {"hazards.view_all"},
    "assets.manage": {"assets.view_all"},
    "supplies.manage": {"supplies.view_all"},
}


def with_implied(perms):
    """``perms`` and every permission they imply."""
    result = set(perms)
    for perm in perms:
        result |= IMPLIES.get(perm, set())
    return result


def permissions_for(positions):
    granted = set()
    for position in positions:
        granted |= GRANTS.get(position, set())
    return granted
