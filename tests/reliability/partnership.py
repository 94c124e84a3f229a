"""A small partnership recorded through the real command line (in-process, CliRunner)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from commands.cli.main import cli

CHALLENGE = "CH-2019-000001"
ORGANISATIONS = [
    ("sscp", "Somerset Safeguarding Children Partnership", "local_body", None),
    ("somerset-county-council", "Somerset County Council", "safeguarding_partner", "local_authority"),
    ("somerset-ccg", "Somerset CCG", "safeguarding_partner", "health"),
]
PEOPLE = [
    ("bu-jane", "Jane Porter", "business_unit", "sscp"),
    ("sam-hughes", "Sam Hughes", "lead_safeguarding_partner", "somerset-county-council"),
    ("kate-mills", "Kate Mills", "delegated_safeguarding_partner", "somerset-ccg"),
    ("helen-morgan", "Helen Morgan", "independent_scrutineer", "sscp"),
    ("ruth-evans", "Ruth Evans", "partnership_chair", "sscp"),
]

Run = Callable[..., Result]


def cli_runner(db_url: str, key_path: Path) -> Run:
    runner = CliRunner()

    def run(*args: str, actor: str | None = None) -> Result:
        prefix = ["--db", db_url, "--key", str(key_path)]
        if actor is not None:
            prefix += ["--as", actor]
        return runner.invoke(cli, [*prefix, *args])

    return run


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return result


def set_up_partnership(run: Run, subject: str = "Is the threshold for a rapid review applied consistently?") -> None:
    """Three organisations, five people, and one open challenge to two partners."""
    for key, name, kind, role in ORGANISATIONS:
        args = ["org", "register", key, "--name", name, "--kind", kind, "--on", "2019-06-03"]
        if role:
            args += ["--statutory-role", role]
        ok(run(*args, actor="bu-jane"))
    for key, name, role, org in PEOPLE:
        ok(run("person", "appoint", key, "--name", name, "--role", role, "--org", org,
               "--on", "2019-06-03", actor="bu-jane"))
    ok(run("challenge", "raise", "--id", CHALLENGE, "--to", "somerset-county-council",
           "--to", "somerset-ccg", "--subject", subject, "--tier", "2", "--respond-within", "10",
           "--on", "2019-09-02", actor="helen-morgan"))
