"""Amounts as Moroccan documents write them: `1 234,56 MAD`, and in words, in French and in Arabic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

NBSP = "\u00a0"
CENT = Decimal("0.01")


def money(amount: Decimal | str) -> str:
    """`1 234,56 MAD` (a no-break space groups the thousands and precedes the currency)."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):f}".split(".")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    return f"{sign}{grouped},{cents}{NBSP}MAD"


def plain(amount: Decimal | str) -> str:
    """`1 234,56`, for table cells under a header that names the currency."""
    return money(amount).removesuffix(f"{NBSP}MAD")


def _parts(amount: Decimal) -> tuple[int, int]:
    value = abs(Decimal(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return int(value), int((value - int(value)) * 100)


def in_words_fr(amount: Decimal) -> str:
    """`mille deux cent trente-quatre dirhams et cinquante-six centimes`."""
    dirhams, centimes = _parts(amount)
    number = num2words(dirhams, lang="fr")
    of = (
        " de" if number.endswith(("million", "millions", "milliard", "milliards")) else ""
    )  # deux millions de dirhams
    words = f"{number}{of} dirham{'s' if dirhams > 1 else ''}"
    if centimes:
        words += f" et {num2words(centimes, lang='fr')} centime{'s' if centimes > 1 else ''}"
    return words


def in_words_ar(amount: Decimal) -> str:
    """The same amount in Arabic words: dirhams, and centimes when there are any."""
    dirhams, centimes = _parts(amount)
    words = f"{num2words(dirhams, lang='ar')} درهم"
    if centimes:
        words += f" و {num2words(centimes, lang='ar')} سنتيم"
    return words
