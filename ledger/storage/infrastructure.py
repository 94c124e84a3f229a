"""Wires the ledger's recorder into an eventsourcing ``Application``."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
    TrackingRecorder,
)

from ledger.errors import StorageError
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder


class LedgerInfrastructure(InfrastructureFactory[TrackingRecorder]):
    """Gives the application the one recorder of the ledger's database.

    The ledger keeps no snapshots and no library tracking tables: projections
    (``projections/``) track their own positions beside their own tables.
    """

    def __init__(self, database: Database, env: Any = None) -> None:
        super().__init__(env)
        self.database = database
        self.recorder = LedgerRecorder(database)

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        if purpose != "events":
            raise StorageError(f"the ledger keeps no {purpose!r} store")
        return self.recorder

    def application_recorder(self) -> ApplicationRecorder:
        return self.recorder

    def tracking_recorder(
        self, tracking_recorder_class: type[TrackingRecorder] | None = None
    ) -> TrackingRecorder:
        raise StorageError("the ledger's projections track their own positions")

    def process_recorder(self) -> ProcessRecorder:
        raise StorageError("the ledger does not run event-processing systems")

    def is_snapshotting_enabled(self) -> bool:
        return False

    def close(self) -> None:
        self.database.dispose()
