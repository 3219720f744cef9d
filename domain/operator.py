"""The seller: the operator's legal identity, printed on every invoice, credit note and contract sheet.

A Moroccan invoice names the seller with its ICE (identifiant commun de l'entreprise, 15 digits), IF
(identifiant fiscal), RC (registre du commerce), patente (taxe professionnelle) and share capital.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    name: str
    address: str
    ice: str
    tax_id: str  # IF
    trade_register: str  # RC, with its city
    patente: str
    capital: str  # as printed, e.g. "10 000 000 MAD"
    verify_url: str  # where a document's QR code sends the reader: GET ...?number=&sha256=

    def placeholders(self) -> list[str]:
        """The legal identifiers still at their development placeholder."""
        named = {
            "ice": self.ice,
            "tax_id": self.tax_id,
            "trade_register": self.trade_register,
            "patente": self.patente,
        }
        return [field for field, value in named.items() if _all_zeros(value)]


def _all_zeros(value: str) -> bool:
    """The development defaults' numbers are all zeros ("Rabat 00000"): never a real identifier."""
    digits = [c for c in value if c.isdigit()]
    return not digits or set(digits) == {"0"}
