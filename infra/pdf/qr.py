"""QR codes, as runs of dark modules for the PDF writers to fill, encoded by zxing-cpp (C++): a pure-Python encoder
cost as much as the rest of an invoice (docs/performance.md)."""

from __future__ import annotations

import re
from typing import NamedTuple

import zxingcpp

QUIET = 4  # modules of white around the symbol, as the standard asks
_DARK = re.compile(rb"[\x00-\x7f]+")


class QrCode(NamedTuple):
    size: int  # modules per side, quiet zone included
    runs: list[tuple[int, int, int]]  # (row, first column, length) of each dark run, quiet zone included


def qr_code(payload: str) -> QrCode:
    image = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    side = image.shape[0]
    pixels = bytes(memoryview(image))
    runs = [
        (row + QUIET, match.start() - row * side + QUIET, match.end() - match.start())
        for row in range(side)
        for match in _DARK.finditer(pixels, row * side, (row + 1) * side)
    ]
    return QrCode(side + 2 * QUIET, runs)
