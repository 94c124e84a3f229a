"""``scrutiny serve``, ``scrutiny token`` and ``scrutiny access-log``.

FastAPI and uvicorn are imported inside ``serve`` only, so ``scrutiny --help``
stays fast.
"""

from __future__ import annotations

import click

from commands.cli.common import emit, json_option, output_options, pass_settings
from commands.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="Port to listen on.")
@pass_settings
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the read-only web app and JSON API (pages for the Executive, inspectors
    and moderation; the OpenAPI document at /openapi.json).

    Every request needs a token from 'scrutiny token issue'. --key names the key
    file verification trusts (the server never signs). Put a TLS proxy in front
    of it for anything but this machine (X-Forwarded-Proto from 127.0.0.1 is
    trusted, so the login cookie is then marked Secure).
    """
    import uvicorn

    from commands.web import create_app

    app = create_app(settings.db_url, settings.key_path)
    click.echo(f"Serving the ledger at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


@click.group()
def token() -> None:
    """Bearer tokens for the web app and JSON API: issue, revoke, list."""


@token.command("issue")
@click.option("--person", "person_id", required=True, metavar="ID", help="The person the token is for.")
@click.option("--role", metavar="ROLE",
              help="Limit the token to this role (default: any role the person holds on the day).")
@json_option
@pass_settings
def token_issue(settings: Settings, person_id: str, role: str | None, as_json: bool) -> None:
    """Issue a token and print it ONCE (only a hash of it is kept).

    The person must hold the role today, and keep holding it: access is
    checked against the ledger on every request.
    """
    from commands.output import to_json
    from commands.tokens import issue_token

    issued = issue_token(settings.db_url, person_id, role, settings.actor)
    if as_json:
        emit(to_json(issued.as_dict()))
        return
    click.echo(f"token {issued.token_id} for {issued.person_id} "
               f"({issued.role or 'any role held'}); shown once, keep it secret:", err=True)
    emit(issued.token)


@token.command("revoke")
@click.argument("token_id")
@pass_settings
def token_revoke(settings: Settings, token_id: str) -> None:
    """Revoke the token TOKEN_ID (the id 'token list' shows): refused from now on."""
    from commands.tokens import revoke_token

    at = revoke_token(settings.db_url, token_id)
    click.echo(f"token {token_id} revoked at {at}", err=True)


@token.command("list")
@output_options
@pass_settings
def token_list(settings: Settings, as_json: bool, as_csv: bool) -> None:
    """Every token issued: id, person, role, issued, revoked (never the secret)."""
    from commands.output import table, to_csv, to_json
    from commands.tokens import list_tokens

    rows = list_tokens(settings.db_url)
    columns = ["token_id", "person_id", "role", "state", "issued_at", "issued_by", "revoked_at"]
    if as_json:
        emit(to_json(rows))
    elif as_csv:
        click.echo(to_csv(rows, columns), nl=False)
    else:
        emit(table(rows, columns) if rows else "No tokens.")


@click.command("access-log")
@click.option("--person", "person_id", metavar="ID", help="Only this person's reads.")
@click.option("--since", metavar="TIME", help="Only reads at or after this UTC time (2020-03-31T17:00:00Z).")
@output_options
@pass_settings
def access_log(settings: Settings, person_id: str | None, since: str | None, as_json: bool,
               as_csv: bool) -> None:
    """What inspectors and the moderation role read through the web app, and when.

    Append-only: the database refuses to change or delete an entry.
    """
    from commands.output import table, to_csv, to_json
    from commands.tokens import access_log as entries

    rows = entries(settings.db_url, person_id, _since(since))
    columns = ["id", "accessed_at", "person_id", "role", "method", "path", "query", "outcome", "token_id"]
    if as_json:
        emit(to_json(rows))
    elif as_csv:
        click.echo(to_csv(rows, columns), nl=False)
    else:
        emit(table(rows, columns) if rows else "No reads recorded.")


def _since(text: str | None) -> str | None:
    """A UTC time in the stored form (RFC 3339, microseconds, Z)."""
    if text is None:
        return None
    from datetime import datetime, timezone

    from ledger.errors import InvalidInputError
    from ledger.records import format_recorded_at

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"--since takes a time such as 2020-03-31T17:00:00Z, not {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_recorded_at(moment.astimezone(timezone.utc))
