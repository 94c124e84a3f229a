"""The acts of the first domain slice: command models and their handlers.

``handle(command, ledger)`` dispatches any of the commands below to its
handler and returns a dict describing the event recorded (stream id,
version, position, event type, actor, fields), ready for ``--json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commands.acts.base import Command
from commands.acts.challenges import (
    EscalateChallenge,
    RaiseChallenge,
    ResolveChallenge,
    RespondToChallenge,
    WithdrawChallenge,
    escalate_challenge,
    raise_challenge,
    resolve_challenge,
    respond_to_challenge,
    withdraw_challenge,
)
from commands.acts.organisations import (
    RegisterOrganisation,
    RenameOrganisation,
    register_organisation,
    rename_organisation,
)
from commands.acts.people import AppointPerson, StandDown, appoint_person, stand_down
from ledger.application import ScrutinyLedger
from ledger.errors import InvalidInputError

HANDLERS: dict[type[Command], Callable[[Any, ScrutinyLedger], dict[str, Any]]] = {
    RegisterOrganisation: register_organisation,
    RenameOrganisation: rename_organisation,
    AppointPerson: appoint_person,
    StandDown: stand_down,
    RaiseChallenge: raise_challenge,
    RespondToChallenge: respond_to_challenge,
    EscalateChallenge: escalate_challenge,
    ResolveChallenge: resolve_challenge,
    WithdrawChallenge: withdraw_challenge,
}


def handle(command: Command, ledger: ScrutinyLedger) -> dict[str, Any]:
    """Run the handler for ``command``; what was recorded, as a dict."""
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise InvalidInputError(f"no handler for {type(command).__name__}")
    return handler(command, ledger)


__all__ = [
    "AppointPerson",
    "Command",
    "EscalateChallenge",
    "HANDLERS",
    "RaiseChallenge",
    "RegisterOrganisation",
    "RenameOrganisation",
    "ResolveChallenge",
    "RespondToChallenge",
    "StandDown",
    "WithdrawChallenge",
    "handle",
]
