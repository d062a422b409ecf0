"""What the commands ask of the aggregate they run on (``ledger.staff.StaffMember``).

The commands live in the domain (``ledger.domain.training_commands``,
``ledger.domain.record_commands``) and the aggregate with its events in ``ledger.staff``, whose
module the stored topics name. The commands reach the aggregate through this protocol, so the
domain never imports the aggregate back.
"""

from __future__ import annotations

from typing import Any, Protocol

from ledger.domain.record import StaffRecord


class Member(Protocol):
    """The aggregate as its commands see it: its record, its events so far, and the classes of
    the events it records (named as on the aggregate)."""

    record: StaffRecord
    history: list[Any]
    # Event ids voided so far, each with the id of the correction that voided it.
    voided: dict[str, str]

    @property
    def version(self) -> int: ...

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    @property
    def Registered(self) -> type[Any]: ...

    @property
    def Enrolled(self) -> type[Any]: ...

    @property
    def Completed(self) -> type[Any]: ...

    @property
    def Failed(self) -> type[Any]: ...

    @property
    def Withdrawn(self) -> type[Any]: ...

    @property
    def CredentialRecognized(self) -> type[Any]: ...

    @property
    def Rotated(self) -> type[Any]: ...

    @property
    def Appointed(self) -> type[Any]: ...

    @property
    def Planned(self) -> type[Any]: ...

    @property
    def Evaluated(self) -> type[Any]: ...

    @property
    def Departed(self) -> type[Any]: ...

    @property
    def Corrected(self) -> type[Any]: ...

    @property
    def NationalIdCorrected(self) -> type[Any]: ...
