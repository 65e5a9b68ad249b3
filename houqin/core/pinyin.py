from pypinyin import Style, lazy_pinyin


def initials(text: str) -> str:
    """Lower-case pinyin initials of a name: 周静 → ``zj``; 沛学楼101 → ``pxl101``.

    Han characters give their first letter; other letters and digits are kept.
    """
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chunk: [chunk])
    return "".join(ch for part in parts for ch in part if ch.isascii() and ch.isalnum()).lower()[
        :64
    ]


def full_pinyin(text: str) -> str:
    """Pinyin without tones: 周静 → ``zhoujing``."""
    return "".join(lazy_pinyin(text or "")).lower()
