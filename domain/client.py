"""The Client aggregate: one customer. Its CIN is held unique by a CinRegistration marker."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidTransition

CLIENT_STATUSES = ("active", "suspended", "closed")
# Why a client's status changed, for reports (the reason stays free text beside it).
STATUS_REASON_CODES = ("customer_request", "non_payment", "fraud", "deceased", "other")


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
        self.status_reason_code: str | None = None
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

    def change_status(self, status: str, reason: str, reason_code: str = "other") -> None:
        self._require_not_erased()
        if status == self.status:
            raise InvalidTransition(
                f"client is already {status}", code="client_status_unchanged", current_status=self.status
            )
        if self.status == "closed":
            raise InvalidTransition(
                "a closed client cannot change status", code="client_closed", current_status=self.status
            )
        self._status_changed(status=status, reason=reason, reason_code=reason_code)

    def add_contract(self, contract_id: UUID, service: str) -> None:
        self._require_not_erased()
        self._contract_added(contract_id=contract_id, service=service)

    def erase(self) -> None:
        """Forget the personal data: whether the client may be erased yet is the erasure's rule
        (domain/privacy.py), which needs its contracts, account and invoices."""
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

    class ClientStatusChanged(Aggregate.Event):
        """Version 2 added `reason_code`. A version 1 event, recorded before, loads (and is published) as
        version 2 with the code `other`: its upcaster runs on every read of it, the stored bytes stay."""

        class_version = 2
        status: str
        reason: str
        reason_code: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["reason_code"] = "other"

    @event(ClientStatusChanged)
    def _status_changed(self, status: str, reason: str, reason_code: str) -> None:
        self.status = status
        self.status_reason_code = reason_code

    @event("ClientContractAdded")
    def _contract_added(self, contract_id: UUID, service: str) -> None:
        self.contracts[str(contract_id)] = service

    @event("ClientErased")
    def _erased(self) -> None:
        # The personal data becomes unreadable when the client's data key is destroyed, after this event is
        # stored (commands/client_erasure.py); the fields stay in memory until then, to find what names them.
        self.erased = True
