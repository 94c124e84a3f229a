"""The ledger application: aggregates in, events out, one transaction per save."""

from __future__ import annotations

from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import InfrastructureFactory, JSONTranscoder, Mapper

from ledger.domain.base import Aggregate, CanonicalJSONMapper
from ledger.domain.erasure import SubjectErased
from ledger.errors import NotFoundError, StorageError
from ledger.storage.database import Database
from ledger.storage.infrastructure import LedgerInfrastructure
from ledger.storage.recorder import LedgerRecorder
from ledger.storage.subject_keys import SubjectKeyStore

TAggregate = TypeVar("TAggregate", bound=Aggregate)


class ScrutinyLedger(Application[str]):
    """The eventsourcing application over the ledger's own recorder."""

    name = "ScrutinyLedger"

    def __init__(self, database: Database) -> None:
        self.database = database
        super().__init__(env={})

    def construct_factory(self, env: Any) -> InfrastructureFactory[Any]:
        return LedgerInfrastructure(self.database, env)

    def construct_mapper(self) -> Mapper[str]:
        assert isinstance(self.factory, LedgerInfrastructure)
        return CanonicalJSONMapper(self.factory.recorder.subject_keys, transcoder=JSONTranscoder())

    @property
    def ledger_recorder(self) -> LedgerRecorder:
        assert isinstance(self.recorder, LedgerRecorder)
        return self.recorder

    def load(self, aggregate_class: type[TAggregate], key: str) -> TAggregate:
        """The current state of one stream, or NotFoundError naming it."""
        stream_id = aggregate_class.stream_id_for(key)
        try:
            aggregate: Aggregate = self.repository.get(stream_id)
        except AggregateNotFoundError as exc:
            noun = aggregate_class.__name__.lower()
            raise NotFoundError(f"no {noun} with id {key!r}") from exc
        if not isinstance(aggregate, aggregate_class):
            raise NotFoundError(f"{stream_id} is not a {aggregate_class.__name__}")
        return aggregate

    def exists(self, aggregate_class: type[Aggregate], key: str) -> bool:
        return bool(self.recorder.select_events(aggregate_class.stream_id_for(key), limit=1))

    @property
    def subject_keys(self) -> SubjectKeyStore:
        return self.ledger_recorder.subject_keys

    def record(self, *aggregates: Aggregate) -> list[int]:
        """Save pending events of the aggregates in one transaction; positions.

        In the same transaction the recorder checks that the keys that sealed
        personal data are live (and stores new ones), and the key of each
        subject erased here is destroyed.
        """
        pending = [event for aggregate in aggregates for event in aggregate.pending_events]
        erasures = {
            event.subject_id: offset
            for offset, event in enumerate(pending)
            if isinstance(event, SubjectErased)
        }
        guard = self.subject_keys.erasure_guard(erasures) if erasures else None
        recordings = self.save(*aggregates, in_transaction=guard)  # type: ignore[arg-type]
        return [r.notification.id - 1 for r in recordings]


def open_ledger(url: str) -> ScrutinyLedger:
    """Open an initialised ledger database."""
    database = Database(url)
    if not database.has_schema():
        database.dispose()
        raise NotFoundError(
            f"no ledger at {database.describe()}; run 'scrutiny init' first"
        )
    missing = database.missing_tables()
    if missing:
        database.dispose()
        raise StorageError(
            f"the ledger at {database.describe()} was created by an older version and lacks "
            f"{', '.join(missing)}; run 'scrutiny upgrade' (it adds them; no recorded row changes)"
        )
    return ScrutinyLedger(database)


__all__ = ["ScrutinyLedger", "StorageError", "open_ledger"]
