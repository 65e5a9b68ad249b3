"""The demo school's consumables: two stores kept by liugang, about thirty items stocked
in, requisitions in every state, and last semester's count applied. Loading again adds
nothing: it stops when the main store already exists."""

from datetime import timedelta

from django.utils import timezone

from houqin.approvals import services as approvals
from houqin.supplies import services
from houqin.supplies.models import Item, ItemCategory, Store

C = ItemCategory
# name, spec, unit, category, min stock, returnable, price, quantity
ITEMS = [
    ("A4复印纸", "70g 500张", "包", C.OFFICE, 50, False, "24.00", 120),
    ("签字笔", "0.5mm 黑", "支", C.STATIONERY, 100, False, "1.50", 300),
    ("白板笔", "黑", "支", C.TEACHING, 60, False, "2.00", 200),
    ("粉笔", "无尘 白", "盒", C.TEACHING, 40, False, "6.00", 150),
    ("彩色粉笔", "无尘 彩", "盒", C.TEACHING, 20, False, "8.00", 60),
    ("订书机", "12号", "个", C.STATIONERY, 10, False, "18.00", 20),
    ("订书钉", "12号", "盒", C.STATIONERY, 30, False, "2.50", 80),
    ("档案盒", "A4 5cm", "个", C.OFFICE, 50, False, "4.00", 100),
    ("文件夹", "A4", "个", C.OFFICE, 40, False, "3.00", 30),
    ("胶水", "50ml", "瓶", C.STATIONERY, 20, False, "2.00", 40),
    ("剪刀", "办公", "把", C.STATIONERY, 10, False, "6.00", 15),
    ("硒鼓", "HP 88A", "个", C.OFFICE, 5, False, "180.00", 8),
    ("墨盒", "Canon 845", "个", C.OFFICE, 5, False, "95.00", 3),
    ("垃圾袋", "大号 50只", "卷", C.CLEANING, 50, False, "5.00", 200),
    ("洗手液", "500ml", "瓶", C.CLEANING, 40, False, "12.00", 60),
    ("消毒液", "84 1L", "瓶", C.CLEANING, 30, False, "9.00", 80),
    ("拖把", "棉线", "把", C.CLEANING, 20, False, "25.00", 30),
    ("扫帚", "塑料", "把", C.CLEANING, 20, False, "15.00", 25),
    ("抹布", "超细纤维", "条", C.CLEANING, 50, False, "3.00", 150),
    ("LED灯管", "T8 1.2m", "根", C.ELECTRICAL, 30, False, "18.00", 60),
    ("开关面板", "86型 单开", "个", C.ELECTRICAL, 10, False, "8.00", 25),
    ("插座面板", "86型 五孔", "个", C.ELECTRICAL, 10, False, "10.00", 6),
    ("电工胶布", "黑", "卷", C.ELECTRICAL, 20, False, "3.00", 40),
    ("5号电池", "碱性", "节", C.ELECTRICAL, 60, False, "2.00", 200),
    ("电钻", "充电式", "把", C.OTHER, 1, True, "320.00", 3),
    ("人字梯", "2米", "架", C.OTHER, 1, True, "260.00", 2),
    ("便携投影仪", "1080P", "台", C.TEACHING, 1, True, "2400.00", 2),
    ("扩音器", "教师用", "个", C.TEACHING, 5, True, "120.00", 10),
    ("卷尺", "50米", "个", C.TEACHING, 2, True, "45.00", 4),
    ("秒表", "电子", "个", C.TEACHING, 5, True, "35.00", 12),
]


def load(school, staff):
    keeper = staff.get("liugang") or staff.get("zhoujing")
    if keeper is None or Store.objects.filter(school=school, name="总务库房").exists():
        return
    main = Store.objects.create(school=school, name="总务库房", keeper=keeper)
    Store.objects.create(school=school, name="体育器材室", keeper=keeper)
    items = {}
    for name, spec, unit, category, minimum, returnable, _price, _qty in ITEMS:
        items[name] = Item.objects.create(
            school=school,
            name=name,
            spec=spec,
            unit=unit,
            category=category,
            min_stock=minimum,
            returnable=returnable,
        )
    start = timezone.localdate() - timedelta(days=60)
    services.stock_in_create(
        by=keeper,
        store=main,
        supplier="晨光文具办公用品店",
        date=start,
        lines=[(items[row[0]], row[7], row[6]) for row in ITEMS],
    )
    _requisitions(school, staff, main, items, keeper)
    sheet = services.count_create(by=keeper, store=main, title="上学期期末盘库")
    entries = {
        line.pk: (
            line.book_quantity - 2 if line.item.name == "抹布" else line.book_quantity,
            "破损报废" if line.item.name == "抹布" else "",
        )
        for line in sheet.lines.select_related("item")
    }
    services.count_record(sheet, by=keeper, entries=entries)
    services.count_apply(sheet, by=keeper)


def _requisitions(school, staff, store, items, keeper):
    """One requisition per teacher-like person in a different state."""
    people = [
        person
        for username, person in sorted(staff.items())
        if person.department_id and person.pk != keeper.pk
    ][:6]
    plans = [
        ("approve_issue", [("A4复印纸", 5), ("签字笔", 10)], "期中考试印卷"),
        ("approve_part", [("白板笔", 20)], "教研组日常"),
        ("approve_issue", [("电钻", 1)], "维修课桌"),
        ("approve", [("洗手液", 4)], "班级卫生"),
        ("reject", [("便携投影仪", 1)], "外出讲座"),
        ("pending", [("粉笔", 5)], "日常教学"),
    ]
    for person, (plan, lines, purpose) in zip(people, plans, strict=False):
        try:
            requisition = services.requisition_submit(
                by=person,
                store=store,
                purpose=purpose,
                lines=[(items[name], quantity) for name, quantity in lines],
            )
            approval = approvals.latest_for(requisition)
            if plan == "pending" or approval is None or not approval.is_open:
                continue
            step = approval.current_step
            approver = step.approvers.first() if step else None
            if approver is None:
                continue
            if plan == "reject":
                approvals.reject(approval, by=approver, comment="请向电教室借用")
                continue
            approvals.approve(approval, by=approver)
            requisition.refresh_from_db()
            if plan == "approve" or not requisition.can_issue:
                continue
            line = requisition.lines.first()
            quantity = line.quantity // 2 if plan == "approve_part" else line.quantity
            services.requisition_issue(
                requisition,
                by=keeper,
                quantities={
                    ln.pk: (quantity if ln.pk == line.pk else ln.quantity)
                    for ln in requisition.lines.all()
                }
                if plan != "approve_part"
                else {line.pk: quantity},
            )
        except (services.SupplyError, approvals.ApprovalError):
            continue
