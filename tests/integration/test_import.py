"""``scrutiny import``: validation first, batches all or nothing, exactly once (both engines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.acts import UnitOfWork, run
from commands.demo_script import demo_script, set_up
from commands.imports import import_acts, parse_lines
from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.imports import ImportedAct
from ledger.errors import ConflictError, InvalidInputError, NotFoundError, RefusedError

BU = "jane-porter"


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> Iterator[ScrutinyLedger]:
    app = open_ledger(initialised[0])
    yield app
    app.close()


def count(ledger: ScrutinyLedger) -> int:
    return ledger.ledger_recorder.max_notification_id() or 0


def lines_of(rows: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(row) for row in rows]


def stream_versions(ledger: ScrutinyLedger) -> list[tuple[str, int]]:
    return [(r.stream_id, r.stream_version) for r in ledger.ledger_recorder.iter_records()]


def org_line(organisation: str, on: str = "2019-06-10", **extra: Any) -> dict[str, Any]:
    return {"act": "org.register", "as": BU, "on": on, "organisation_id": organisation,
            "name": organisation.title(), "kind": "relevant_agency", **extra}


def test_the_demo_imports_in_batches_and_a_second_run_records_nothing(
    ledger: ScrutinyLedger,
) -> None:
    lines = lines_of(demo_script())
    result = import_acts(ledger, parse_lines(lines), batch_size=40)
    batches = -(-len(lines) // 40)  # 161 lines: 5 batches
    assert (result.recorded, result.already_present, result.batches) == (len(lines), 0, batches)
    assert count(ledger) == 2 * len(lines)  # each act and its idempotency marker
    again = import_acts(ledger, parse_lines(lines), batch_size=7)
    assert (again.recorded, again.already_present) == (0, len(lines))
    assert again.describe() == f"0 recorded, {len(lines)} already present"
    assert count(ledger) == 2 * len(lines)


def test_each_act_is_saved_with_its_marker_naming_stream_and_version(
    ledger: ScrutinyLedger,
) -> None:
    [line] = parse_lines([json.dumps(org_line("an-agency", key="agency-1", on="2019-06-03"))])
    import_acts(ledger, [line])
    assert stream_versions(ledger) == [("org:an-agency", 1), ("import:agency-1", 1)]
    marker = ledger.load(ImportedAct, "agency-1")
    assert (marker.act, marker.stream_id, marker.stream_version) == (
        "org.register", "org:an-agency", 1)


def test_a_malformed_line_refuses_the_whole_file_before_anything_is_written(
    ledger: ScrutinyLedger,
) -> None:
    rows = lines_of(set_up()[:5])
    for bad, reason in [
        ("{not json", "line 3: not JSON"),
        ('["a list"]', "line 3: each line is one JSON object"),
        ('{"act": "challenge.shout", "as": "x"}', "line 3: no act 'challenge.shout'"),
        ('{"act": "org.register", "on": "2019-06-03"}', "line 3: 'as' names the person"),
        (json.dumps(org_line("x-org", on="2019-02-30")), "line 3: occurred_on: '2019-02-30' is "
                                                         "not a real date"),
        (json.dumps(org_line("x-org", colour="red")), "line 3: colour: Extra inputs"),
        (json.dumps(org_line("x-org", actor=BU)), "line 3: use 'as' and 'on', not 'actor'"),
    ]:
        lines = [*rows[:2], bad, *rows[2:]]
        with pytest.raises(InvalidInputError, match=reason):
            parse_lines(lines)
    assert count(ledger) == 0


def test_one_key_for_two_different_acts_is_refused_naming_both_lines() -> None:
    lines = lines_of([org_line("one-org", key="k-1"), org_line("two-org", key="k-1")])
    with pytest.raises(InvalidInputError, match="line 2: key 'k-1' was used on line 1 for a "
                                                "different act"):
        parse_lines(lines)


def test_the_same_act_written_twice_or_differently_spaced_is_recorded_once(
    ledger: ScrutinyLedger,
) -> None:
    rows = set_up()[:5]
    reordered = json.dumps(dict(reversed(list(rows[1].items()))), indent=None,
                           separators=(" ,", " : "))
    lines = [*lines_of(rows), reordered, json.dumps(rows[0])]
    result = import_acts(ledger, parse_lines(lines), batch_size=3)
    assert (result.recorded, result.already_present) == (5, 2)
    assert count(ledger) == 10


def test_a_refused_act_aborts_its_batch_names_its_line_and_keeps_earlier_batches(
    ledger: ScrutinyLedger,
) -> None:
    rows = set_up()[:5]  # four organisations and the business-unit officer
    broken = org_line("sscp", on="2019-06-11")  # already registered: refused
    lines = lines_of([*rows, org_line("agency-a"), broken, org_line("agency-b")])
    parsed = parse_lines(lines)
    with pytest.raises(RefusedError, match=r"line 7: organisation sscp is already registered .* "
                                           r"\(nothing of the batch of lines 5-8 was recorded; "
                                           r"4 act\(s\) before it were"):
        import_acts(ledger, parsed, batch_size=4)
    assert count(ledger) == 8  # the first batch: four acts, four markers
    assert not ledger.exists(ImportedAct, parsed[5].key)
    fixed = lines_of([*rows, org_line("agency-a"), org_line("agency-c"), org_line("agency-b")])
    result = import_acts(ledger, parse_lines(fixed), batch_size=4)
    assert (result.recorded, result.already_present) == (4, 4)
    assert count(ledger) == 16


def test_a_missing_record_is_named_with_its_line(ledger: ScrutinyLedger) -> None:
    rows = [*set_up()[:5], {"act": "org.rename", "as": BU, "on": "2019-07-01",
                            "organisation_id": "ghost", "new_name": "Ghost"}]
    with pytest.raises(NotFoundError, match="line 6: no organisation with id 'ghost'"):
        import_acts(ledger, parse_lines(lines_of(rows)))
    assert count(ledger) == 0


def test_a_key_recorded_by_another_process_first_makes_the_batch_a_conflict(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    [line] = parse_lines([json.dumps(org_line("an-agency", key="agency-1", on="2019-06-03"))])
    slow = UnitOfWork(ledger)
    event = run(line.command, slow)
    slow.find_or_new(ImportedAct, line.key, ImportedAct.new).imported(event, line.act)
    other = open_ledger(initialised[0])
    try:
        assert import_acts(other, [line]).recorded == 1
    finally:
        other.close()
    before = count(ledger)
    with pytest.raises(ConflictError):
        slow.commit()
    assert count(ledger) == before == 2
    assert import_acts(ledger, [line]).already_present == 1


def test_the_batch_size_is_at_least_one(ledger: ScrutinyLedger) -> None:
    with pytest.raises(InvalidInputError, match="at least 1"):
        import_acts(ledger, [], batch_size=0)
