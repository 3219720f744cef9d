"""The Client aggregate: one customer. Its CIN is held unique by a CinRegistration marker."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidTransition

CLIENT_STATUSES = ("active", "suspended", "closed")


class Client(Aggregate):
    @event("ClientRegistered")
    def __init__(
        self,
        cin: str,
        full_name: str,
        email: str,
        address: str,
        phone: str | None,
        language: str = "fr",
        ice: str | None = None,
        brought_by: str | None = None,
    ) -> None:
        self.brought_by = brought_by  # the partner that registered the client; None: the operator's staff
        self.cin = cin
        self.full_name = full_name
        self.email = email
        self.address = address
        self.phone = phone
        self.language = language  # of the documents' customer-facing labels: fr, or ar beside the French
        self.ice = ice  # a business customer's ICE, printed on its invoices
        self.status = "active"
        self.delinquent = False
        self.contracts: dict[str, str] = {}  # contract id -> service
        self.erased = False

    def update_details(
        self,
        *,
        full_name: str,
        email: str,
        address: str,
        phone: str | None,
        language: str = "fr",
        ice: str | None = None,
    ) -> None:
        self._require_not_erased()
        self._details_updated(
            full_name=full_name, email=email, address=address, phone=phone, language=language, ice=ice
        )

    def change_status(self, status: str, reason: str) -> None:
        self._require_not_erased()
        if status == self.status:
            raise InvalidTransition(
                f"client is already {status}", code="client_status_unchanged", current_status=self.status
            )
        if self.status == "closed":
            raise InvalidTransition(
                "a closed client cannot change status", code="client_closed", current_status=self.status
            )
        self._status_changed(status=status, reason=reason)

    def add_contract(self, contract_id: UUID, service: str) -> None:
        self._require_not_erased()
        self._contract_added(contract_id=contract_id, service=service)

    def erase(self) -> None:
        """Forget the personal data. Only a client without history may be erased."""
        if self.contracts:
            raise Conflict(
                "the client has history and cannot be deleted",
                code="client_delete_blocked",
                blocking={"contracts": len(self.contracts)},
            )
        if not self.erased:
            self._erased()

    def _require_not_erased(self) -> None:
        if self.erased:
            raise InvalidTransition("the client was deleted", code="client_deleted")

    @event("ClientDetailsUpdated")
    def _details_updated(
        self,
        full_name: str,
        email: str,
        address: str,
        phone: str | None,
        language: str = "fr",
        ice: str | None = None,
    ) -> None:
        self.full_name, self.email, self.address, self.phone = full_name, email, address, phone
        self.language, self.ice = language, ice

    @event("ClientStatusChanged")
    def _status_changed(self, status: str, reason: str) -> None:
        self.status = status

    @event("ClientContractAdded")
    def _contract_added(self, contract_id: UUID, service: str) -> None:
        self.contracts[str(contract_id)] = service

    @event("ClientErased")
    def _erased(self) -> None:
        # The personal data is removed with the stored history (infra/eventstore/erasure.py); the fields
        # stay in memory so a retried delete can still find the CIN marker to remove.
        self.erased = True
