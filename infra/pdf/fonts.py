"""The documents' font, and the Arabic shaping reportlab does not do.

DejaVu Sans (Debian's fonts-dejavu-core) covers Latin and Arabic, including the Arabic presentation forms, in one
TrueType face: every document embeds the subset it uses. reportlab draws glyphs left to right and does not join
letters, so Arabic text is reshaped into its joined forms (arabic-reshaper) and put in visual order (python-bidi)
before it is drawn.
"""

from __future__ import annotations

import re
from pathlib import Path

from arabic_reshaper import reshape
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
DEFAULT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_registered: Path | None = None


class FontMissing(RuntimeError):
    pass


def use(font_dir: Path = DEFAULT_DIR) -> None:
    """Registers the regular and bold faces from `font_dir`, once per process."""
    global _registered
    if _registered is not None:
        return
    faces = {REGULAR: font_dir / "DejaVuSans.ttf", BOLD: font_dir / "DejaVuSans-Bold.ttf"}
    if missing := [str(path) for path in faces.values() if not path.is_file()]:
        raise FontMissing(
            f"document fonts not found: {missing}; install Debian's fonts-dejavu-core "
            "(make does it) or set MTF_DOCUMENT_FONT_DIR"
        )
    for name, path in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for family in (REGULAR, BOLD):  # either name resolves to the pair, as paragraphs expect
        pdfmetrics.registerFontFamily(family, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    _registered = font_dir


def directory() -> Path:
    """Where this process's fonts come from (registered from the default place if nothing was asked)."""
    ready()
    assert _registered is not None
    return _registered


def ready() -> None:
    """The fonts, registered from the default place if the runtime has not named another."""
    use(_registered or DEFAULT_DIR)


def visual(text: str) -> str:
    """The text as it must be drawn left to right: Arabic runs joined and reversed, the rest untouched."""
    return get_display(reshape(text)) if _ARABIC.search(text) else text


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))
