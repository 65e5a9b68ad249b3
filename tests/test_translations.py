"""Simplified Chinese is written in the code; English comes from locale/en. Every string
must have its English translation, and the compiled catalog must match its source."""

from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"


def test_it_translates_every_string_to_english():
    po = polib.pofile(str(CATALOG / "django.po"))
    missing = [entry.msgid for entry in po if not entry.obsolete and not entry.translated()]
    assert missing == [], f"{len(missing)} strings lack an English translation: {missing[:20]}"


def test_it_ships_the_compiled_catalog_of_the_current_source():
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = polib.mofile(str(CATALOG / "django.mo"))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in po.translated_entries()
    }
    assert compiled == source, "run `make messages` to recompile locale/en"
