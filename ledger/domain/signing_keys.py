"""The ledger's own signing keys: a dated history of rotations, kept in the log.

The checkpoint signing key lives in a file outside the database (see
``ledger.keys``). When it is replaced, the replacement is a fact of the log
like any other, recorded in the one stream ``ledger:signing-keys``::

    SigningKeyRotated   old_vkey, new_vkey, valid_from, reason, statement

The key **in force** for a tree of ``n`` events is the new key of the last
rotation recorded at a position below ``n`` (the tree includes that event),
and the key written by ``scrutiny init`` (``ledger_meta.vkey``) for trees
that include no rotation. ``valid_from`` is the UTC time the rotation was
made (RFC 3339, microseconds); ``occurred_on`` is its Europe/London date.
The first checkpoint after a rotation is signed by both keys, so anyone who
trusts either key can follow the handover (``ledger.key_history``).

``statement`` makes the event itself unforgeable: a C2SP signed note, signed
by both the old and the new key, whose text is (every line ending in a newline)::

    scrutiny-ledger/key-rotation/v1
    old <old vkey>
    new <new vkey>
    valid-from <valid_from>

Someone who can append to the database but does not hold the old key cannot
write a rotation that counts: one whose statement does not verify is ignored
(and reported) by verification. The text cannot be read as a checkpoint (its
second line is not a number).

Guards (each refusal raises ``RefusedError`` and records nothing):

* the retiring key is the key in force (the previous rotation's new key, or
  the ledger's first key);
* the new key is an Ed25519 verifier key under the same name (the log's
  origin) and has never been in force before (no reuse, no rotation to itself).
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from ledger.domain.base import Aggregate, DomainEvent
from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.notes import NoteVerifier, open_note
from ledger.records import parse_recorded_at

SIGNING_KEYS_KEY = "signing-keys"
SIGNING_KEYS_STREAM = "ledger:signing-keys"
KEY_HOLDER_ROLE = "key_holder"
STATEMENT_HEADER = "scrutiny-ledger/key-rotation/v1"


def rotation_statement_text(old_vkey: str, new_vkey: str, valid_from: str) -> str:
    """The text both keys sign for a rotation (see the module docstring)."""
    return f"{STATEMENT_HEADER}\nold {old_vkey}\nnew {new_vkey}\nvalid-from {valid_from}\n"


def statement_is_valid(old_vkey: str, new_vkey: str, valid_from: str, statement: str) -> bool:
    """True if ``statement`` is the rotation's text signed by both keys."""
    try:
        old, new = NoteVerifier.from_vkey(old_vkey), NoteVerifier.from_vkey(new_vkey)
        opened = open_note(statement, [old, new])
    except (InvalidInputError, IntegrityFailure):
        return False
    return opened.text == rotation_statement_text(old_vkey, new_vkey, valid_from) and {
        old,
        new,
    } <= set(opened.verified)


def _vkey(value: str) -> str:
    try:
        NoteVerifier.from_vkey(value)
    except InvalidInputError as exc:
        raise ValueError(str(exc)) from exc
    return value


def _timestamp(value: str) -> str:
    try:
        parse_recorded_at(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a UTC time like 2024-05-01T09:30:00.000000Z") from exc
    return value


class SigningKeyRotated(DomainEvent):
    """The checkpoint signing key ``old_vkey`` was replaced by ``new_vkey``."""

    old_vkey: str = Field(min_length=1, max_length=300)
    new_vkey: str = Field(min_length=1, max_length=300)
    valid_from: str
    reason: str | None = Field(default=None, max_length=2000)
    statement: str = Field(min_length=1, max_length=4000)

    check_old = field_validator("old_vkey")(_vkey)
    check_new = field_validator("new_vkey")(_vkey)
    check_valid_from = field_validator("valid_from")(_timestamp)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return SigningKeys


class SigningKeys(Aggregate):
    """The one stream of key rotations."""

    stream_prefix = "ledger"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.rotations: list[SigningKeyRotated] = []

    @classmethod
    def new(cls) -> SigningKeys:
        return cls(cls.stream_id_for(SIGNING_KEYS_KEY))

    def keys_in_force(self, first_key: str) -> list[str]:
        """``first_key`` and the new key of every rotation that counts, in order.

        A rotation counts if its statement is signed by both its keys and it
        retires the key then in force; any other was appended by someone
        without the key (the stream is open to whoever can write rows) and
        changes nothing, here as in ``ledger.key_history``.
        """
        keys = [first_key]
        for rotation in self.rotations:
            if rotation.old_vkey == keys[-1] and statement_is_valid(
                rotation.old_vkey, rotation.new_vkey, rotation.valid_from, rotation.statement
            ):
                keys.append(rotation.new_vkey)
        return keys

    def current(self, first_key: str) -> str:
        """The key in force now."""
        return self.keys_in_force(first_key)[-1]

    def rotate(
        self,
        *,
        first_key: str,
        old_vkey: str,
        new_vkey: str,
        valid_from: str,
        statement: str,
        actor_id: str,
        occurred_on: date,
        reason: str | None = None,
    ) -> SigningKeyRotated:
        """Retire ``old_vkey`` (which must be in force) in favour of ``new_vkey``.

        ``statement`` must be the rotation's text signed by both keys.
        """
        keys = self.keys_in_force(first_key)
        in_force = keys[-1]
        if old_vkey != in_force:
            self.refuse(
                f"the key {_label(old_vkey)} is not the key in force ({_label(in_force)}); "
                "only the key in force can be rotated"
            )
        if new_vkey in keys:
            self.refuse(f"the key {_label(new_vkey)} has been in force before; use a new key")
        if _label(new_vkey).split("+")[0] != _label(old_vkey).split("+")[0]:
            self.refuse(
                "the new key must carry the same name as the old one (the log's origin): "
                f"{_label(old_vkey)} -> {_label(new_vkey)}"
            )
        if not statement_is_valid(old_vkey, new_vkey, valid_from, statement):
            self.refuse("the rotation statement is not signed by both the old and the new key")
        return self.trigger(
            SigningKeyRotated,
            statement=statement,
            old_vkey=old_vkey,
            new_vkey=new_vkey,
            valid_from=valid_from,
            reason=reason,
            actor_id=actor_id,
            actor_role=KEY_HOLDER_ROLE,
            occurred_on=occurred_on,
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, SigningKeyRotated):
            self.rotations.append(event)
        else:
            super().apply(event)


def _label(vkey: str) -> str:
    """``name+keyid`` of a verifier key string, for messages."""
    return "+".join(vkey.split("+", 2)[:2])


__all__ = [
    "KEY_HOLDER_ROLE",
    "STATEMENT_HEADER",
    "SIGNING_KEYS_KEY",
    "SIGNING_KEYS_STREAM",
    "SigningKeyRotated",
    "SigningKeys",
    "rotation_statement_text",
    "statement_is_valid",
]
