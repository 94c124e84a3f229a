"""The ``scrutiny`` command line: a thin layer over ``commands`` handlers.

Heavy modules (SQLAlchemy, eventsourcing, pydantic, cryptography) are imported
inside command functions, so ``scrutiny --help`` starts fast.
"""

from __future__ import annotations

import errno
from typing import Any

import click

from commands.settings import Settings


class LedgerGroup(click.Group):
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
        from ledger.errors import LedgerError

        from ledger.errors import InvalidInputError

        try:
            return super().invoke(ctx)
        except LedgerError as exc:
            raise LedgerFailure(exc) from exc
        except click.UsageError as exc:
            raise _usage_failure(exc) from exc
        except UnicodeError as exc:
            # Arguments that are not text (undecodable bytes from the shell).
            raise LedgerFailure(InvalidInputError("an argument is not valid UTF-8 text")) from exc
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):
                message = f"unusable file name or path: {exc.strerror}"
                raise LedgerFailure(InvalidInputError(message)) from exc
            raise


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


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = Settings.resolve(db, actor, key)


from commands.cli import admin as _admin  # noqa: E402
from commands.cli import backups as _backups  # noqa: E402
from commands.cli import reads as _reads  # noqa: E402
from commands.cli import registry as _registry  # noqa: E402
from commands.cli import registry_integrity as _registry_integrity  # noqa: E402
from commands.cli import web as _web  # noqa: E402

# Order matters once: the domain groups come before the read side, which
# attaches its listings (``challenge list``, ``activity``) to them.
for _module in (_admin, _registry, _reads, _registry_integrity, _web, _backups):
    _module.register(cli)


def main() -> None:
    cli(prog_name="scrutiny")
