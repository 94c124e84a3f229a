"""The ``scrutiny`` command line: a thin layer over ``commands`` handlers.

``scrutiny --help`` must start fast. The root group lists its commands from
``commands.cli.catalogue`` and imports a command's module only when that
command is run or its own ``--help`` is asked for; heavy modules (SQLAlchemy,
eventsourcing, pydantic, cryptography, FastAPI) are imported inside command
functions, and ``ledger.errors`` only once a command has failed.
"""

from __future__ import annotations

import errno
from typing import Any

import click

from commands.cli.catalogue import ROOT_COMMANDS
from commands.cli.lazy import LazyGroup


class LedgerGroup(LazyGroup):
    """Maps the ledger's error tree onto one ``Error:`` line and an exit code.

    Usage errors of any command (an unknown option, a missing argument) are
    invalid input too: one line, exit 2, instead of click's usage block.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _usage_failure(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise  # a subcommand's --help, or Ctrl+C: nothing to map
        except click.UsageError as exc:
            raise _usage_failure(exc) from exc
        except Exception as exc:
            failure = _expected_failure(exc)
            if failure is None:
                raise
            raise failure from exc


def _expected_failure(exc: Exception) -> LedgerFailure | None:
    """The one-line failure for an error the ledger expects; None for anything else.

    ``ledger.errors`` (and eventsourcing with it) is imported here, once a
    command has failed, so that ``scrutiny GROUP --help`` does not load it.
    """
    from ledger.errors import InvalidInputError, LedgerError

    if isinstance(exc, LedgerError):
        return LedgerFailure(exc)
    if isinstance(exc, UnicodeError):
        # Arguments that are not text (undecodable bytes from the shell).
        return LedgerFailure(InvalidInputError("an argument is not valid UTF-8 text"))
    if isinstance(exc, OSError) and exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):
        return LedgerFailure(InvalidInputError(f"unusable file name or path: {exc.strerror}"))
    return None


def _usage_failure(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        return exc  # a bare group name shows its help, as click does
    from ledger.errors import InvalidInputError

    command = exc.ctx.command_path if exc.ctx is not None else "scrutiny"
    return LedgerFailure(InvalidInputError(f"{exc.format_message()} (see '{command} --help')"))


class LedgerFailure(click.ClickException):
    def __init__(self, error: Exception) -> None:
        message = " ".join(str(error).split()) or type(error).__name__
        super().__init__(message)
        self.exit_code = getattr(error, "exit_code", 1)  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        from commands.output import safe_text

        click.echo(f"Error: {safe_text(self.format_message())}", err=True)


@click.group(cls=LedgerGroup, entries=ROOT_COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="URL", help="Ledger database URL or SQLite file [env SCRUTINY_DB; default sqlite:///scrutiny.sqlite3].")
@click.option("--as", "actor", metavar="PERSON", help="Id of the person recording the act [env SCRUTINY_ACTOR].")
@click.option("--key", metavar="PATH", help="Signing key file [env SCRUTINY_KEY; default scrutiny.key].")
@click.version_option(package_name="scrutiny-ledger", prog_name="scrutiny")
@click.pass_context
def cli(ctx: click.Context, db: str | None, actor: str | None, key: str | None) -> None:
    """Scrutiny Ledger: the provable record of a safeguarding partnership's scrutiny.

    Every scrutiny act is an immutable event in a Merkle-hashed log; signed
    checkpoints let anyone check that nothing was changed or removed.

    Exit codes: 0 ok; 1 refused by a domain rule or not found; 2 bad usage or
    invalid input; 3 integrity failure.
    """
    from commands.settings import Settings

    ctx.obj = Settings.resolve(db, actor, key)


def main() -> None:
    cli(prog_name="scrutiny")
