"""A PDF writer for documents made of text lines, rules, filled shapes and QR codes, in the standard Helvetica fonts.

French invoices and contract sheets in Latin script need nothing more, and they are the bulk: reportlab builds each
file as a tree of PDF objects, which costs many times more (docs/performance.md, docs/documents.md); this writes the
same kind of file directly. reportlab still gives the font metrics.

The output is deterministic: the same calls give the same bytes (no dates; the file id is a
digest of the content). Text is encoded in WinAnsi (cp1252), as the standard fonts expect; the callers check
`encodes` first and send anything else to reportlab, so nothing is ever written as "?".
"""

from __future__ import annotations

import hashlib
import re

from reportlab.pdfbase.pdfmetrics import stringWidth

A4 = (595.2756, 841.8898)
FONTS = {"Helvetica": b"F1", "Helvetica-Bold": b"F2"}
_SPECIAL = re.compile(rb"[\\()\x00-\x1f]")


def _escaped(match: re.Match[bytes]) -> bytes:
    char = match.group()
    # control characters would break the line; the rest are escaped
    return b" " if char < b" " else b"\\" + char


def _literal(text: str) -> bytes:
    return b"(" + _SPECIAL.sub(_escaped, text.encode("cp1252", errors="replace")) + b")"


def _number(value: float) -> bytes:
    return b"%.2f" % value


class TextPdf:
    """The few canvas calls the documents use: fonts, left- and right-aligned strings, rules, pages."""

    def __init__(self, title: str, pagesize: tuple[float, float] = A4) -> None:
        self.title = title
        self.pagesize = pagesize
        self._pages: list[bytes] = []
        self._ops: list[bytes] = []
        self._font, self._size = "Helvetica", 12.0

    def setFont(self, name: str, size: float) -> None:  # noqa: N802 - the reportlab canvas's names
        if name not in FONTS:
            raise ValueError(f"unsupported font {name!r}: one of {sorted(FONTS)}")
        self._font, self._size = name, size

    def drawString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self._ops.append(
            b"BT /%s %s Tf %s %s Td %s Tj ET\n"
            % (FONTS[self._font], _number(self._size), _number(x), _number(y), _literal(text))
        )

    def drawRightString(self, x: float, y: float, text: str) -> None:  # noqa: N802
        self.drawString(x - stringWidth(text, self._font, self._size), y, text)

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 1.0) -> None:
        self._ops.append(
            b"%s w %s %s m %s %s l S\n" % (_number(width), _number(x1), _number(y1), _number(x2), _number(y2))
        )

    def fill_rect(self, x: float, y: float, width: float, height: float, gray: float = 0.0) -> None:
        """A filled rectangle, black by default; text drawn after it is black again."""
        self._ops.append(
            b"%s g %s %s %s %s re f 0 g\n"
            % (_number(gray), _number(x), _number(y), _number(width), _number(height))
        )

    def stroke_rect(self, x: float, y: float, width: float, height: float, width_line: float = 0.6) -> None:
        self._ops.append(
            b"%s w %s %s %s %s re S\n"
            % (_number(width_line), _number(x), _number(y), _number(width), _number(height))
        )

    def module_grid(self, x: float, y: float, module: float, runs: list[tuple[int, int, int]]) -> None:
        """Black runs on a grid of square modules (a QR code), its top left at (x, y): (row, first column, length) each.
        Written in the grid's own integer units under one scaling, and filled once."""
        body = b"".join(b"%d %d %d 1 re\n" % (column, -row - 1, length) for row, column, length in runs)
        self._ops.append(
            b"q %s 0 0 %s %s %s cm\n%sf Q\n"
            % (_number(module), _number(module), _number(x), _number(y), body)
        )

    @staticmethod
    def encodes(text: str) -> bool:
        """Whether the text can be written as it is (WinAnsi), not as "?"."""
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True

    def showPage(self) -> None:  # noqa: N802
        self._pages.append(b"".join(self._ops))
        self._ops = []

    def save(self) -> bytes:
        if self._ops or not self._pages:
            self.showPage()
        return _file(self.title, self.pagesize, self._pages)


def _file(title: str, pagesize: tuple[float, float], contents: list[bytes]) -> bytes:
    """Objects: 1 catalog, 2 page tree, 3 info, 4-5 fonts, then a page and its content per page."""
    pages = [6 + 2 * i for i in range(len(contents))]
    kids = b" ".join(b"%d 0 R" % n for n in pages)
    fonts = b" ".join(b"/%s %d 0 R" % (ref, 4 + i) for i, ref in enumerate(FONTS.values()))
    media = b"[0 0 %s %s]" % (_number(pagesize[0]), _number(pagesize[1]))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /Title <%s> /Producer (MT-Facturation) >>"
        % ("\ufeff" + title).encode("utf-16-be").hex().encode(),
        *(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
            for name in FONTS
        ),
    ]
    for page, content in zip(pages, contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Resources << /Font << %s >> >> /Contents %d 0 R >>"
            % (media, fonts, page + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    return _assemble(objects)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = hashlib.md5(out, usedforsecurity=False).hexdigest().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        file_id,
        file_id,
        xref,
    )
    return bytes(out)
