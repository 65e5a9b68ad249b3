"""Per-school settings: the values DOMAIN.md marks as local, with their national defaults.

A module declares its settings here; ``school.setting(key)`` reads the school's value or
the default. Values are stored in ``SchoolSetting`` only when a school changes them.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SettingDef:
    key: str
    group: str
    label: str
    kind: str  # "int" | "decimal" | "bool" | "text"
    default: object
    unit: str = ""
    help: str = ""
    min_value: object = None
    max_value: object = None
    # Dotted path to a function(value) that raises ValidationError for a bad value.
    validator: str = ""

    def parse(self, raw):
        """Turn a stored JSON value back into a Python value of this setting's kind."""
        if self.kind == "decimal":
            return Decimal(str(raw))
        if self.kind == "int":
            return int(raw)
        if self.kind == "bool":
            return bool(raw)
        return str(raw)

    def to_json(self, value):
        if self.kind == "decimal":
            return str(value)
        return value


GROUPS = {
    "security": _("登录与安全"),
    "assets": _("固定资产"),
    "leave": _("请假与外出"),
    "safety": _("校园安全"),
    "canteen": _("食堂食品安全"),
    "repairs": _("报修"),
}

DEFINITIONS = [
    SettingDef(
        "security.idle_timeout_minutes",
        "security",
        _("空闲自动退出"),
        "int",
        10,
        _("分钟"),
        _("等保二级常用 10 分钟"),
        min_value=5,
        max_value=480,
    ),
    SettingDef(
        "assets.capitalisation_threshold",
        "assets",
        _("固定资产单价标准"),
        "decimal",
        Decimal("1000"),
        _("元"),
        _("事业单位财务规则第四十一条：单位价值 1000 元以上"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "assets.special_equipment_threshold",
        "assets",
        _("专用设备单价标准"),
        "decimal",
        Decimal("1500"),
        _("元"),
        _("部分地区专用设备为 1500 元"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "assets.disposal_tier_principal",
        "assets",
        _("处置审批：校长审批上限"),
        "decimal",
        Decimal("500"),
        _("元"),
        _("低于此值由校长审批"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "assets.disposal_tier_bureau",
        "assets",
        _("处置审批：中心校/教育局审批上限"),
        "decimal",
        Decimal("1000"),
        _("元"),
        _("高于此值报教育局和财政审批"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "leave.sick_certificate_days",
        "leave",
        _("病假需病历证明的天数"),
        "int",
        2,
        _("天"),
        _("超过此天数须上传证明（各地 1–3 天）"),
        min_value=0,
        max_value=30,
    ),
    SettingDef(
        "leave.marriage_days",
        "leave",
        _("婚假天数"),
        "int",
        3,
        _("天"),
        _("国家规定 3 天，各地另有增加"),
        min_value=1,
        max_value=60,
    ),
    SettingDef(
        "leave.bereavement_days",
        "leave",
        _("丧假天数"),
        "int",
        3,
        _("天"),
        _("1–3 天，依地方规定"),
        min_value=1,
        max_value=15,
    ),
    SettingDef(
        "leave.personal_cap_days_per_term",
        "leave",
        _("每学期事假上限"),
        "int",
        5,
        _("天"),
        min_value=0,
        max_value=60,
    ),
    SettingDef(
        "leave.grade_leader_max_days",
        "leave",
        _("年级组长审批上限"),
        "decimal",
        Decimal("0.5"),
        _("天"),
        _("半天以内由年级组长审批"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "leave.vice_principal_max_days",
        "leave",
        _("分管校长审批上限"),
        "decimal",
        Decimal("1"),
        _("天"),
        _("一天以内由分管校长审批，超过由校长审批"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "leave.district_report_days",
        "leave",
        _("报区教育局备案的天数"),
        "decimal",
        Decimal("3"),
        _("天"),
        _("超过此天数报区县备案"),
        min_value=Decimal("0"),
    ),
    SettingDef(
        "leave.province",
        "leave",
        _("产假标准所在省份"),
        "text",
        "",
        "",
        _("按此省份的产假标准计算产假、陪产假天数，如“浙江”；不填按国家标准 98 天"),
    ),
    SettingDef(
        "leave.periods_per_half_day",
        "leave",
        _("按节请假：几节课计半天"),
        "int",
        4,
        _("节"),
        _("一天内按节次请假时，每满此节数（不足也算）计半天，最多计一天"),
        min_value=1,
        max_value=8,
    ),
    SettingDef(
        "leave.slip_late_minutes",
        "leave",
        _("出门逾期提醒"),
        "int",
        15,
        _("分钟"),
        _("超过计划返校时间此分钟数仍未返校，提醒审批人"),
        min_value=0,
        max_value=240,
    ),
    SettingDef(
        "safety.hazard_general_deadline_days",
        "safety",
        _("一般隐患整改期限"),
        "int",
        3,
        _("天"),
        min_value=1,
        max_value=90,
    ),
    SettingDef(
        "safety.accident_written_report_hours",
        "safety",
        _("严重事故书面报告时限"),
        "int",
        2,
        _("小时"),
        _("电话立即报告，严重事故 2 小时内书面报告"),
        min_value=1,
        max_value=72,
    ),
    SettingDef(
        "safety.accident_report_hours",
        "safety",
        _("一般事故报告时限"),
        "int",
        24,
        _("小时"),
        min_value=1,
        max_value=168,
    ),
    SettingDef(
        "safety.drill_evacuation_seconds",
        "safety",
        _("疏散演练目标用时"),
        "int",
        120,
        _("秒"),
        _("四层及以下建筑 2 分钟内"),
        min_value=30,
        max_value=1800,
    ),
    SettingDef(
        "canteen.sample_grams",
        "canteen",
        _("留样重量"),
        "int",
        125,
        _("克"),
        _("每餐每样不少于 125 克（部分地区 200 克）"),
        min_value=50,
        max_value=500,
    ),
    SettingDef(
        "canteen.sample_hours",
        "canteen",
        _("留样保存时间"),
        "int",
        48,
        _("小时"),
        min_value=48,
        max_value=240,
    ),
    SettingDef(
        "repairs.working_hours",
        "repairs",
        _("维修工作时段"),
        "text",
        "08:00-12:00,13:30-17:30",
        "",
        _(
            "响应和完成时限按校历工作日的这些时段计算；多个时段用逗号分隔，如 08:00-12:00,13:30-17:30"
        ),
        validator="houqin.repairs.deadlines.validate_periods",
    ),
    SettingDef(
        "repairs.auto_confirm_workdays",
        "repairs",
        _("维修完成后自动确认"),
        "int",
        3,
        _("个工作日"),
        _("报修人超过此期限未确认，系统自动确认修好"),
        min_value=1,
        max_value=30,
    ),
]

BY_KEY = {definition.key: definition for definition in DEFINITIONS}


def get_setting(school, key):
    from houqin.org.models import SchoolSetting

    definition = BY_KEY[key]
    stored = SchoolSetting.objects.filter(school=school, key=key).values_list("value", flat=True)
    for value in stored:
        return definition.parse(value)
    return definition.default


def all_settings(school):
    """Every definition with the school's current value, grouped in declaration order."""
    from houqin.org.models import SchoolSetting

    stored = dict(SchoolSetting.objects.filter(school=school).values_list("key", "value"))
    rows = []
    for definition in DEFINITIONS:
        changed = definition.key in stored
        value = definition.parse(stored[definition.key]) if changed else definition.default
        rows.append({"definition": definition, "value": value, "changed": changed})
    return rows
