import unicodedata

from django.core.management.base import BaseCommand

from houqin.demo.demo_school import DEMO_PASSWORD, load_demo_school


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Load (or bring up to date) the demo school 善真实验学校. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet=False, **options):
        result = load_demo_school()
        if quiet or options.get("verbosity", 1) == 0:
            return
        school = result.school
        self.stdout.write(self.style.SUCCESS(f"演示学校已就绪：{school.name}（{school.code}）"))
        rows = [("用户名", "姓名", "职务", "岗位说明"), *result.logins]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write(
            f"共 {result.account_count} 个演示账号，密码均为 {DEMO_PASSWORD}；"
            "其余账号的用户名为姓名全拼（重名加数字）。"
        )
