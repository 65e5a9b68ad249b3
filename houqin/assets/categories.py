"""Load the GB/T 14885-2022 classes from ``data/categories.csv`` (see ``data/SOURCES.md``:
which codes are verified against public sources and which are placed by inference).

Upserts by code, parents before children, so loading again after the file grows only adds
or renames; a school's cards keep pointing at the same rows.
"""

import csv
from pathlib import Path

from houqin.core.pinyin import initials

CSV_PATH = Path(__file__).resolve().parent / "data" / "categories.csv"


def rows(path=CSV_PATH):
    with open(path, encoding="utf-8", newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda row: (int(row["level"]), row["code"]))


def load_categories(Category, path=CSV_PATH) -> int:
    """Create or update every class of the file; ``Category`` may be a migration's
    historical model (so names' pinyin initials are set here, not in ``save``)."""
    by_code = {}
    for row in rows(path):
        life = row["life_years"].strip()
        category, _created = Category.objects.update_or_create(
            code=row["code"].strip(),
            defaults={
                "name": row["name"].strip(),
                "name_initials": initials(row["name"].strip()),
                "parent": by_code.get(row["parent_code"].strip()),
                "level": int(row["level"]),
                "depreciable": row["depreciable"].strip() == "1",
                "life_years": int(life) if life else None,
                "code_2010": row["code_2010"].strip(),
            },
        )
        by_code[category.code] = category
    return len(by_code)
