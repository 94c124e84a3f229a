"""A subject key ring held in memory, for tests of the mapper without a database."""

from __future__ import annotations

from ledger.errors import RefusedError
from ledger.sealing import Cipher, cipher_for, new_subject_key


class MemoryKeys:
    """Keys by subject, created on first use; None once erased."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes | None] = {}

    def sealing_key(self, subject_id: str) -> bytes:
        key = self.keys.setdefault(subject_id, new_subject_key())
        if key is None:
            raise RefusedError(f"{subject_id} has been erased")
        return key

    def opening_key(self, subject_id: str) -> bytes | None:
        return self.keys[subject_id]

    def opening_cipher(self, subject_id: str) -> Cipher | None:
        key = self.keys[subject_id]
        return None if key is None else cipher_for(key)
