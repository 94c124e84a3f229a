"""``scrutiny subject``: erase a data subject's personal data, and check on it."""

from __future__ import annotations

import click

from commands.cli.acting import act_options
from commands.cli.common import emit, json_option, pass_settings, progress_printer
from commands.settings import Settings


@click.group()
def subject() -> None:
    """Personal data, sealed per subject: erasure (crypto-shredding).

    A subject is a case (case:ID: every text about the case, on any stream),
    a person (person:ID: their name and declared interests) or any other
    stream's own free text (challenge:ID, audit:ID ...).
    """


@subject.command("erase")
@click.argument("subject_id", metavar="SUBJECT_ID")
@click.option("--reason", required=True,
              help="Why the data is erased (kept in clear: do not repeat the personal data).")
@act_options
@pass_settings
def erase(settings: Settings, subject_id: str, reason: str, on: str | None,
          evidence_files: tuple[str, ...], as_json: bool) -> None:
    """Destroy SUBJECT_ID's key (business unit): its personal data reads [erased].

    The erasure is recorded as an event, and the key is destroyed in the same
    transaction. Hashes, proofs and checkpoints still verify. The views are
    then rebuilt and the database's freed space reclaimed, so no copy of the
    plaintext stays in the database's files.
    """
    from commands.acts import EraseSubject
    from commands.cli.acting import build_act, render
    from commands.erasure import erase_subject
    from commands.output import to_json

    command = build_act(settings, EraseSubject, on=on, evidence_files=evidence_files,
                        subject_id=subject_id, reason=reason)
    recorded, scrubbed = erase_subject(
        settings.db_url, command, progress_printer("rebuilding views")
    )
    if as_json:
        emit(to_json({**recorded, "views_rebuilt_from_events": scrubbed.events_replayed,
                      "files": scrubbed.files}))
        return
    emit(render(recorded, False))
    emit(f"views rebuilt from {scrubbed.events_replayed:,} events; {scrubbed.files}")


@subject.command("scrub")
@json_option
@pass_settings
def scrub(settings: Settings, as_json: bool) -> None:
    """Rebuild the views and reclaim freed space (when an erasure could not finish)."""
    from commands.erasure import scrub as scrub_views
    from commands.output import to_json

    done = scrub_views(settings.db_url, progress_printer("rebuilding views"))
    if as_json:
        emit(to_json({"views_rebuilt_from_events": done.events_replayed, "files": done.files}))
        return
    emit(f"views rebuilt from {done.events_replayed:,} events; {done.files}")


@subject.command("status")
@click.argument("subject_id", metavar="SUBJECT_ID")
@json_option
@pass_settings
def status(settings: Settings, subject_id: str, as_json: bool) -> None:
    """Whether SUBJECT_ID has sealed personal data, and whether it was erased."""
    from commands.erasure import subject_status
    from commands.output import key_values, to_json

    found = subject_status(settings.db_url, subject_id)
    result = {
        "subject": found.subject_id,
        "key_created_at": found.created_at,
        "erased": found.erased,
        "erased_at": found.erased_at,
        "erased_at_position": found.erased_position,
    }
    emit(to_json(result) if as_json else key_values(list(result.items())))
