"""Hostile input: every command, fed random and malicious text, fails cleanly and writes nothing.

The commands are enumerated from the click tree (``commands.cli.main.cli``),
so a command added tomorrow is fuzzed tomorrow. Each invocation gets hostile
values for its arguments and options (control characters, terminal escape
sequences, text that was invalid UTF-8 on the command line, very long values,
impossible and future dates, unknown ids, huge numbers, malformed options),
an actor who is nobody, and the real database and key. Whatever happens:

* no traceback, an exit code of the contract (0, 1, 2 or 3);
* on failure exactly one line on stderr, starting ``Error:``, and not one
  event more in the log;
* an act (a command that records one) always fails: exit 1 or 2;
* nothing printed contains a raw C0 or C1 control character (other than
  newline) or a lone surrogate.

Then recorded text with escape sequences (a valid act) is shown safely by
every read command, in text, CSV and JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.admin import init_ledger, make_checkpoint, verify
from commands.cli.main import cli
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.conftest import ENGINES, drop_pg_schema, make_db_url
from tests.reliability.partnership import CHALLENGE, PEOPLE, cli_runner, ok, set_up_partnership

# `serve` runs a web server until it is stopped: fuzzing it in-process would
# never return. Its option parsing is fuzzed below with --help; the web app
# has its own tests (tests/web). Every name here must exist in the tree.
RUNS_UNTIL_STOPPED = {("serve",)}

UNSAFE_OUTPUT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202d\u202e\u2028\u2029\ud800-\udfff]")
REAL_PEOPLE = {key for key, _, _, _ in PEOPLE}

ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b[31mred\x1b[0m", "\x9b2J", "\x1bP+q\x1b\\", "\u202eevil",
           "\r\rover", "\x08\x08", "\x7f", "\u2028", "\udcff", "\udc80\udcc3"]
DATES = ["2019-02-29", "2020-02-30", "2019-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "2999-01-01",
         "20190902", "2019-9-2", " 2019-09-02", "2019-09-02T10:00:00Z", "tomorrow", "-1"]
IDS = [CHALLENGE, "CH-2019-999999", "sscp", "somerset-county-council", "no-such-org", "../../etc/passwd",
       "' OR 1=1 --", "%s%s%n", "{0}{1}", "$(touch /tmp/pwned)", "a" * 64, "-", "--", "0"]
NUMBERS = ["9" * 30, "-9" + "9" * 30, "1e309", "NaN", "0x10", "-1", "0", "3.5"]
MALFORMED_OPTIONS = ["--json=yes", "--csv=1", "--no-such-option", "-x", "--", "--json", "--csv",
                     "--json --csv", "--on", "--as", "--db", "-h"]

hostile_text = st.one_of(
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(ESCAPES + DATES + IDS + NUMBERS),
    st.lists(st.sampled_from(ESCAPES + ["a", " ", "x" * 50, CHALLENGE, "2019-09-02"]), min_size=1,
             max_size=6).map("".join),
    st.sampled_from(["x" * 2_001, "y" * 5_001, "\x1b[2J" * 20_000, "z" * 200_000]),
)


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = [(path, command) for path, command in leaf_commands(cli) if path not in RUNS_UNTIL_STOPPED]


def is_act(command: click.Command) -> bool:
    """Commands that record an act take --on and --evidence (commands.cli.acting)."""
    return {"on", "evidence_files"} <= {param.name for param in command.params}


def test_the_fuzzed_commands_are_the_whole_tree() -> None:
    everything = {path for path, _ in leaf_commands(cli)}
    assert RUNS_UNTIL_STOPPED <= everything
    assert len(COMMANDS) == len(everything) - len(RUNS_UNTIL_STOPPED) >= 20
    assert sum(is_act(command) for _, command in COMMANDS) >= 10


# -- the ledger the fuzzing runs against --------------------------------------------------------


class Target:
    def __init__(self, db_url: str, key_path: Path, files: Path, prepared: list[str]) -> None:
        self.db_url, self.key_path, self.files, self.prepared = db_url, key_path, files, prepared
        self.recorder = LedgerRecorder(Database(db_url))

    def size(self) -> int:
        return self.recorder.size()


def write_hostile_files(directory: Path) -> list[str]:
    """Files a malicious user might hand to commands that read files."""
    directory.mkdir(parents=True, exist_ok=True)
    evil_lines = [
        "{not json",
        json.dumps({"act": "challenge.raise", "as": "helen-morgan\x1b[2J", "subject": "\x1b]0;pwned\x07"}),
        json.dumps({"act": "org.register", "as": "bu-jane", "organisation_id": "x" * 5000, "name": "n",
                    "kind": "local_body"}),
        "[" * 50_000 + "]" * 50_000,
        json.dumps({"act": "challenge.raise", "as": "helen-morgan", "on": "9999-12-31",
                    "to_partners": ["sscp"], "subject": "s", "tier": 1}),
        json.dumps({"act": "\u202eesiar.egnellahc", "as": ""}),
        json.dumps([1, 2, 3]),
        '{"act": "challenge.raise", "act": "org.register"}',
        json.dumps({"act": "org.register", "as": "bu-jane", "n": 10 ** 400}),
    ]
    files = {
        "evil.jsonl": "\n".join(evil_lines) + "\n",
        "evil.checkpoint": "sscp\x1b[2J\n99999999999999999999999\nnot base64!\n\n\u2014 evil AAAA\n",
        "empty": "",
    }
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    (directory / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (directory / "adir").mkdir(exist_ok=True)
    return [str(directory / name) for name in (*files, "binary.bin", "adir")]


@pytest.fixture(scope="module", params=ENGINES)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp(f"hostile-{request.param}")
    db_url, schema = make_db_url(request.param, directory)
    key_path = directory / "scrutiny.key"
    init_ledger(db_url, key_path, "test.scrutiny-ledger/ledger")
    set_up_partnership(cli_runner(db_url, key_path))
    make_checkpoint(db_url, key_path)
    files = directory / "files"
    made = Target(db_url, key_path, files, write_hostile_files(files))
    yield made
    made.recorder.database.dispose()
    if schema is not None:
        drop_pg_schema(schema)


# -- generating an invocation ---------------------------------------------------------------------


def path_value(target: Target) -> st.SearchStrategy[str]:
    """A path inside the fuzzing directory: a prepared hostile file, or a new hostile name."""
    fresh = hostile_text.map(lambda text: str(target.files / ("f-" + text.replace("/", "_")[:200])))
    return st.one_of(st.sampled_from(target.prepared), fresh)


def value_for(param: click.Parameter, target: Target) -> st.SearchStrategy[str]:
    kind = param.type
    if isinstance(kind, (click.Path, click.File)):
        return path_value(target)
    if isinstance(kind, click.Choice):
        return st.one_of(st.sampled_from([str(c) for c in kind.choices]), hostile_text)
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return st.one_of(st.integers(-(2 ** 70), 2 ** 70).map(str), st.sampled_from(NUMBERS), hostile_text)
    return hostile_text


@st.composite
def invocation(draw: st.DrawFn, path: tuple[str, ...], command: click.Command, target: Target) -> list[str]:
    options: list[str] = []
    arguments: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            count = draw(st.integers(0, 2)) if param.nargs == -1 else param.nargs
            if param.required or draw(st.booleans()):
                arguments += [draw(value_for(param, target)) for _ in range(count)]
            continue
        assert isinstance(param, click.Option)
        name = max(param.opts, key=len)
        if param.is_flag:
            options += [name] if draw(st.booleans()) else []
            continue
        times = draw(st.sampled_from([1, 1, 1, 0] if param.required else [0, 0, 1, 2]))
        for _ in range(times if param.multiple else min(times, 1)):
            options += [name, draw(value_for(param, target))]
    extra = draw(st.lists(st.one_of(st.sampled_from(MALFORMED_OPTIONS), hostile_text), max_size=2))
    tokens = options + arguments
    if extra:
        at = draw(st.integers(0, len(tokens)))
        tokens = tokens[:at] + extra + tokens[at:]
    return [*path, *tokens]


actors = st.one_of(st.none(), hostile_text.filter(lambda text: text.strip() not in REAL_PEOPLE))


# -- the properties ------------------------------------------------------------------------------


def run(target: Target, actor: str | None, argv: list[str]) -> Result:
    prefix = ["--db", target.db_url, "--key", str(target.key_path)]
    if actor is not None:
        prefix += ["--as", actor]
    return CliRunner().invoke(cli, [*prefix, *argv])


def describe(argv: list[str], result: Result) -> str:
    shown = [a if len(a) < 80 else a[:60] + f"...({len(a)} chars)" for a in argv]
    return f"scrutiny {shown!r} -> exit {result.exit_code}\nstdout: {result.stdout[:500]!r}\n" \
           f"stderr: {result.stderr[:1000]!r}\nexception: {result.exception!r}"


def check_clean(argv: list[str], result: Result, size_before: int, size_after: int, act: bool) -> None:
    what = describe(argv, result)
    unhandled = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not unhandled, "unhandled exception (a traceback for the user):\n" + what
    assert result.exit_code in (0, 1, 2, 3), what
    assert "Traceback" not in result.stdout + result.stderr, what
    assert not UNSAFE_OUTPUT.search(result.stdout), "raw control character on stdout:\n" + what
    assert not UNSAFE_OUTPUT.search(result.stderr), "raw control character on stderr:\n" + what
    if result.exit_code != 0:
        lines = result.stderr.rstrip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("Error: "), "not one Error: line:\n" + what
        assert size_after == size_before, "a failed command wrote to the log:\n" + what
    if act:
        asked_for_help = result.exit_code == 0 and result.stdout.startswith("Usage:")
        assert result.exit_code in (1, 2) or asked_for_help, "an act by nobody was not refused:\n" + what
        assert size_after == size_before, "an act by nobody was recorded:\n" + what


FUZZ_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz_command(target: Target, path: tuple[str, ...], command: click.Command, examples: int) -> None:
    @settings(max_examples=examples, **FUZZ_SETTINGS)  # type: ignore[arg-type]
    @given(actor=actors, argv=invocation(path, command, target))
    def fuzz(actor: str | None, argv: list[str]) -> None:
        before = target.size()
        result = run(target, actor, argv)
        check_clean(argv, result, before, target.size(), is_act(command))

    fuzz()


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_every_command_fails_cleanly_on_hostile_input(target: Target, path: tuple[str, ...],
                                                      command: click.Command) -> None:
    fuzz_command(target, path, command, examples=4)


@pytest.mark.soak
@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_every_command_fails_cleanly_on_much_more_hostile_input(target: Target, path: tuple[str, ...],
                                                                command: click.Command) -> None:
    fuzz_command(target, path, command, examples=50)


def test_commands_that_run_until_stopped_parse_hostile_options_cleanly(target: Target) -> None:
    for path in sorted(RUNS_UNTIL_STOPPED):
        for argv in ([*path, "--port", "0"], [*path, "--port", "\x1b[2J"], [*path, "--no-such", "\x9b"],
                     [*path, "--help"]):
            before = target.size()
            result = run(target, None, argv)
            check_clean(argv, result, before, target.size(), act=False)
            assert result.exit_code in (0, 2), describe(argv, result)


LONG = "k" * 5_000  # longer than any file name the system allows


def known_hostile(files: Path) -> dict[str, list[str]]:
    """Inputs the fuzzing found once, kept so that they are tried on every run."""
    return {
        # arguments that were not UTF-8 on the command line (Python hands them over as surrogates)
        "non-utf8 --db": ["--db", "\udcff", "verify"],
        "non-utf8 history --stream": ["history", "--stream", "\udcff"],
        "non-utf8 challenge list --status": ["challenge", "list", "--status", "\udcff"],
        "non-utf8 --as": ["--as", "\udcff", "challenge", "respond", CHALLENGE, "--response", "x"],
        "non-utf8 export directory": ["export", str(files / "f-\udcff")],
        # names longer than the system allows
        "long --key": ["--key", LONG, "verify"],
        "long sqlite file": ["--db", f"sqlite:///{files / LONG}", "verify"],
        "long bare --db": ["--db", LONG, "status"],
        "long export directory": ["export", str(files / LONG)],
        "long verify-bundle --key": ["verify-bundle", str(files / "adir"), "--key", "x" * 2_001],
        "long history dates": ["history", "--since", LONG, "--until", "\x1b[2J"],
        "huge prove position": ["prove", "inclusion", "9" * 30],
        "huge --as-known-at": ["history", "--as-known-at", "9" * 30],
    }


@pytest.mark.parametrize("case", list(known_hostile(Path("."))))
def test_inputs_that_once_broke_a_command_fail_cleanly(target: Target, case: str) -> None:
    argv = known_hostile(target.files)[case]
    before = target.size()
    result = run(target, None, argv)
    check_clean(argv, result, before, target.size(), act=False)


def test_a_malicious_import_file_is_refused_whole(target: Target) -> None:
    before = target.size()
    argv = ["import", str(target.files / "evil.jsonl")]
    result = run(target, None, argv)
    check_clean(argv, result, before, target.size(), act=False)
    assert result.exit_code == 2 and "line 1" in result.stderr, describe(argv, result)
    for line in (0, 3):  # a deeply nested line, the only bad one in an otherwise valid file
        valid = json.dumps({"act": "org.register", "as": "bu-jane", "on": "2019-06-03",
                            "organisation_id": f"fine-org-{line}", "name": "Fine", "kind": "local_body"})
        lines = [valid] * 4
        lines[line] = "[" * 50_000 + "]" * 50_000
        file = target.files / f"nested-{line}.jsonl"
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        argv = ["import", str(file)]
        result = run(target, None, argv)
        check_clean(argv, result, before, target.size(), act=False)
        assert result.exit_code == 2 and f"line {line + 1}" in result.stderr, describe(argv, result)
    report, _ = verify(target.db_url, target.key_path)
    assert report.ok, report.problem


# -- recorded text is shown safely -------------------------------------------------------------------

EVIL = "\x1b[2J\x1b]0;pwned\x07 \x9b31m \u202e \x1b[31mred\x1b[0m \x7f\x08 end"


def read_commands() -> list[tuple[str, ...]]:
    """Every command that takes no required parameter and only reads (enumerated)."""
    writes = {("demo",), ("init",), ("checkpoint",), ("projections", "rebuild"), ("import",)}
    return [path for path, command in COMMANDS
            if not any(param.required for param in command.params) and not is_act(command)
            and path not in writes]


def test_recorded_escape_sequences_are_never_printed_raw(initialised, tmp_path: Path) -> None:
    db_url, key_path = initialised
    run_as = cli_runner(db_url, key_path)
    set_up_partnership(run_as, subject=f"Subject {EVIL}")
    ok(run_as("org", "register", "evil-org", "--name", f"Evil {EVIL}", "--kind", "local_body",
              "--on", "2019-06-03", actor="bu-jane"))
    ok(run_as("person", "appoint", "eve-evil", "--name", f"Eve {EVIL}", "--role", "independent_scrutineer",
              "--org", "sscp", "--on", "2019-06-03", actor="bu-jane"))
    for actor, response in (("sam-hughes", f"Council {EVIL}"), ("kate-mills", f"Health {EVIL}")):
        recorded = ok(run_as("challenge", "respond", CHALLENGE, "--response", response, "--on", "2019-09-05",
                             actor=actor))
        assert not UNSAFE_OUTPUT.search(recorded.stdout + recorded.stderr), recorded.stdout
    ok(run_as("challenge", "resolve", CHALLENGE, "--outcome", "accepted", "--action", f"Act {EVIL}",
              "--on", "2019-09-10", actor="ruth-evans"))

    shown = 0
    for path in read_commands():
        command = dict(COMMANDS)[path]
        flags = {max(p.opts, key=len) for p in command.params if isinstance(p, click.Option) and p.is_flag}
        for variant in ([], ["--csv"], ["--json"]):
            if not set(variant) <= flags:
                continue
            argv = [*path, *variant]
            result = run_as(*argv)
            assert result.exit_code == 0, describe(argv, result)
            assert not UNSAFE_OUTPUT.search(result.stdout + result.stderr), (
                f"raw control character in the output of scrutiny {' '.join(argv)}:\n" + describe(argv, result))
            shown += "\\x1b" in result.stdout or "\\u001b" in result.stdout
    # The text is shown (escaped), not dropped: history in every form, and JSON round-trips.
    assert shown >= 3
    history = json.loads(run_as("history", "--json", "--limit", "1000").stdout)
    assert f"Subject {EVIL}" in [row["fields"].get("subject") for row in history]
    for variant in ([], ["--csv"]):
        text = run_as("history", "--limit", "1000", *variant).stdout
        assert "\\x1b[2J\\x1b]0;pwned\\x07" in text and "\\u009b31m" in text and "\\u202e" in text
    for variant in ([], ["--csv"]):
        listed = run_as("challenge", "list", *variant)
        assert CHALLENGE in listed.stdout and not UNSAFE_OUTPUT.search(listed.stdout)


# -- paths the user names are echoed safely -------------------------------------------------------

ESCAPED_NAME = "new-\x1b[2J\x9b31m-\u202e"


def commands_echoing_a_new_path(directory: Path) -> dict[str, list[str]]:
    """Commands that create a file or directory named by the user and print its name."""
    return {
        "key rotate": ["key", "rotate", "--new-key", str(directory / f"{ESCAPED_NAME}.key")],
        "witness key new": ["witness", "key", "new", "witness.example.org",
                            "--key", str(directory / f"{ESCAPED_NAME}.witness")],
        "export": ["export", str(directory / f"{ESCAPED_NAME}-bundle")],
        "backup": ["backup", str(directory / f"{ESCAPED_NAME}.sqlite3")],
    }


@pytest.mark.parametrize("engine_name", ["sqlite"])
@pytest.mark.parametrize("case", list(commands_echoing_a_new_path(Path("."))))
def test_a_path_the_user_names_is_echoed_without_raw_control_characters(initialised, tmp_path: Path,
                                                                       case: str) -> None:
    db_url, key_path = initialised
    run_as = cli_runner(db_url, key_path)
    set_up_partnership(run_as)
    make_checkpoint(db_url, key_path)
    argv = commands_echoing_a_new_path(tmp_path)[case]
    result = run_as(*argv)
    assert result.exit_code == 0, describe(argv, result)
    assert not UNSAFE_OUTPUT.search(result.stdout + result.stderr), (
        "raw control character in what was printed:\n" + describe(argv, result))


@pytest.mark.parametrize("origin", ["sscp.example/\x9b2J", "sscp.example/\x7f", "sscp.example/\x1b[2J"])
def test_a_log_origin_with_control_characters_is_refused(tmp_path: Path, origin: str) -> None:
    """The origin goes into every signed note, which `scrutiny checkpoint` prints
    exactly as signed (it cannot be escaped without breaking the signature), so
    a control character there must never get in: C0, DEL and C1 alike."""
    db_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    argv = ["init", "--origin", origin]
    result = CliRunner().invoke(cli, ["--db", db_url, "--key", str(tmp_path / "scrutiny.key"), *argv])
    assert result.exit_code == 2, describe(argv, result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), describe(argv, result)
    assert not UNSAFE_OUTPUT.search(result.stdout + result.stderr), describe(argv, result)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
