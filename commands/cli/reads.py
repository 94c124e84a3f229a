"""Read commands: status, deadlines, history, activity, challenge list, projections.

All take ``--json``; lists also ``--csv``; all take ``--as-known-at`` (a time
or a checkpoint's tree size: the state as recorded by then) and ``--as-of``
(a date: facts that had occurred by then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from commands.cli.common import emit, pass_settings, progress_printer
from commands.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def read_options(lists: bool = True) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        func = click.option("--as-of", "as_of", metavar="DATE",
                            help="Only facts that had occurred by this date (YYYY-MM-DD).")(func)
        func = click.option("--as-known-at", "known_at", metavar="TIME|SIZE",
                            help="The state as recorded by then: a UTC time (2020-03-31T17:00:00Z) "
                                 "or a checkpoint's tree size.")(func)
        if lists:
            func = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")(func)
        return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)
    return decorate


def _scope(known_at: str | None, as_of: str | None) -> Any:
    from commands.reads import Scope, parse_as_of

    return Scope(known_at=known_at, as_of=parse_as_of(as_of))


def _render(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool, as_csv: bool,
            empty: str) -> None:
    from commands.output import table, to_csv, to_json

    if as_json:
        emit(to_json(list(rows)))
    elif as_csv:
        click.echo(to_csv(rows, columns), nl=False)
    else:
        emit(table(rows, columns) if rows else empty)


@click.command()
@read_options(lists=False)
@pass_settings
def status(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool) -> None:
    """The Executive's dashboard: open challenges, deadlines, other work, tier coverage."""
    from commands.output import table, to_json
    from commands.reads import views
    from projections.reports import dashboard

    scope = _scope(known_at, as_of)
    with views(settings.db_url, scope, progress_printer("projected")) as store:
        data = dashboard(store, scope.today())
    if known_at is not None:
        data["as_known_at"] = known_at
    if as_json:
        emit(to_json(data))
        return
    lines = [f"Status as of {data['as_of']}" + (f", as known at {known_at}" if known_at else "")
             + f" ({data['events']} events)", ""]
    challenges = data["open_challenges"]
    overdue = sum(1 for c in challenges if c["overdue"])
    lines.append(f"Open challenges: {len(challenges)} ({overdue} overdue)")
    if challenges:
        rows = [dict(c, awaiting=", ".join(c["awaiting"]) or "-", overdue="OVERDUE" if c["overdue"] else "")
                for c in challenges]
        lines.append(table(rows, ["challenge_id", "tier", "status", "raised_on", "age_days",
                                  "response_due", "overdue", "escalations", "awaiting"]))
    counts = data["deadlines"]["counts"]
    lines += ["", "Deadlines: " + ", ".join(f"{n} {state}" for state, n in counts.items())]
    pending = data["deadlines"]["overdue"] + data["deadlines"]["due"]
    if pending:
        lines.append(table(pending, ["state", "due", "kind", "key", "name", "rule"]))
    if data["other_work"]:
        lines += ["", "Other work by kind and status", table(data["other_work"], ["kind", "status", "count"])]
    lines += ["", "Scrutiny coverage by tier and year"]
    lines.append(table(data["tier_coverage"], ["tier", "year", "scrutiny_acts", "scrutineers", "acts"])
                 if data["tier_coverage"] else "(no acts at any tier yet)")
    emit("\n".join(lines))


@click.command()
@read_options()
@click.option("--state", type=click.Choice(["met", "met late", "due", "overdue", "closed"]),
              help="Only deadlines in this state.")
@pass_settings
def deadlines(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool, as_csv: bool,
              state: str | None) -> None:
    """Every statutory and local deadline, with the rule that produced it: met, due or overdue."""
    from commands.reads import views
    from projections.reports import deadlines as list_deadlines

    scope = _scope(known_at, as_of)
    with views(settings.db_url, scope, progress_printer("projected")) as store:
        rows = [r for r in list_deadlines(store, scope.today()) if state is None or r["state"] == state]
    _render(rows, ["state", "due", "days_left", "kind", "key", "name", "rule", "met_on"], as_json, as_csv,
            "No deadlines.")


@click.command()
@read_options()
@click.option("--stream", help="Only this stream, e.g. challenge:CH-2019-001.")
@click.option("--actor", help="Only acts recorded by this person id.")
@click.option("--org", "organisation", help="Only acts about this organisation id.")
@click.option("--tier", type=click.IntRange(1, 3), help="Only acts at this tier.")
@click.option("--kind", help="Only this event type, e.g. ChallengeRaised.")
@click.option("--since", metavar="DATE", help="Only acts that occurred on or after this date.")
@click.option("--until", metavar="DATE", help="Only acts that occurred on or before this date.")
@click.option("--after", type=click.IntRange(-1), help="Only positions after this one (paging).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@pass_settings
def history(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool, as_csv: bool,
            stream: str | None, actor: str | None, organisation: str | None, tier: int | None,
            kind: str | None, since: str | None, until: str | None, after: int | None, limit: int) -> None:
    """Every recorded act in order, with names as they were on the act's date."""
    from commands.reads import views
    from projections.history import HistoryQuery, history_rows

    query = HistoryQuery(stream=stream, actor=actor, organisation=organisation, tier=tier, kind=kind,
                         since=since, until=until, after=after, limit=limit)
    with views(settings.db_url, _scope(known_at, as_of), progress_printer("projected")) as store:
        rows = history_rows(store, query)
    if not as_json:
        for row in rows:
            row["fields"] = ", ".join(f"{k}={v}" for k, v in row["fields"].items() if v not in (None, [], ""))
    _render(rows, ["position", "occurred_on", "event_type", "stream_id", "actor", "tier", "fields"],
            as_json, as_csv, "No acts match.")


@click.command()
@read_options()
@click.option("--scrutineer", metavar="PERSON", help="Only this scrutineer.")
@pass_settings
def activity(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool, as_csv: bool,
             scrutineer: str | None) -> None:
    """Each independent scrutineer's acts per tier, kind and month (for moderation)."""
    from commands.reads import views
    from projections.store.queries import activity as list_activity

    with views(settings.db_url, _scope(known_at, as_of), progress_printer("projected")) as store:
        rows = list_activity(store, scrutineer)
    _render(rows, ["person_id", "month", "tier", "kind", "count"], as_json, as_csv, "No scrutiny activity.")


@click.command("list")
@read_options()
@click.option("--status", help="Only challenges in this status (open, responded, escalated, resolved, withdrawn).")
@pass_settings
def challenge_list(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool, as_csv: bool,
                   status: str | None) -> None:
    """List challenges: status, age, escalations, outcome."""
    from commands.reads import views
    from projections.reports import challenge_list as rows_of

    scope = _scope(known_at, as_of)
    with views(settings.db_url, scope, progress_printer("projected")) as store:
        rows = rows_of(store, scope.today(), status)
    _render(rows, ["challenge_id", "tier", "status", "raised_on", "age_days", "response_due", "escalations",
                   "outcome", "closed_on"], as_json, as_csv, "No challenges.")


@click.command("show")
@click.argument("case_id", metavar="CASE_ID")
@read_options(lists=False)
@pass_settings
def case_show(settings: Settings, case_id: str, known_at: str | None, as_of: str | None,
              as_json: bool) -> None:
    """One case: its stage, every deadline with its rule, and its history."""
    from commands.output import key_values, table, to_json
    from commands.reads import views
    from projections.reports import case_view

    scope = _scope(known_at, as_of)
    with views(settings.db_url, scope, progress_printer("projected")) as store:
        data = case_view(store, case_id, scope.today())
    if as_json:
        emit(to_json(data))
        return
    lines = [key_values([("case", data["case_id"]), ("stage", data["status"]),
                         ("opened on", data["opened_on"]), ("closed on", data["closed_on"] or "-")]),
             "", "Deadlines"]
    lines.append(table(data["deadlines"], ["state", "due", "name", "rule", "met_on"])
                 if data["deadlines"] else "(none)")
    lines += ["", "History"]
    for row in data["history"]:
        row["fields"] = ", ".join(f"{k}={v}" for k, v in row["fields"].items() if v not in (None, [], ""))
    lines.append(table(data["history"], ["position", "occurred_on", "event_type", "actor", "fields"]))
    emit("\n".join(lines))


@click.command("list")
@read_options()
@click.option("--status", help="Only audits in this status (e.g. open, completed).")
@pass_settings
def audit_list(settings: Settings, known_at: str | None, as_of: str | None, as_json: bool,
               as_csv: bool, status: str | None) -> None:
    """List audits: kind, status, agencies, returns, findings and open actions."""
    from commands.reads import views
    from projections.reports import audit_list as rows_of

    with views(settings.db_url, _scope(known_at, as_of), progress_printer("projected")) as store:
        rows = rows_of(store, status)
    _render(rows, ["audit_id", "kind", "status", "opened_on", "agencies", "returns", "findings",
                   "open_actions", "closed_on"], as_json, as_csv, "No audits.")


@click.group()
def projections() -> None:
    """The read side's views: their state, and rebuilding them from the log."""


@projections.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def projections_status(settings: Settings, as_json: bool) -> None:
    """Each view's position against the head of the log."""
    from commands.output import table, to_json
    from commands.reads import view_status

    rows = [{"view": s.view, "position": s.position, "log_size": s.head, "behind": s.behind}
            for s in view_status(settings.db_url)]
    emit(to_json(rows) if as_json else table(rows, ["view", "position", "log_size", "behind"]))


@projections.command("rebuild")
@click.argument("view", required=False)
@pass_settings
def projections_rebuild(settings: Settings, view: str | None) -> None:
    """Drop VIEW (default: every view) and replay the whole log into it."""
    from commands.reads import rebuild_views
    from ledger.errors import InvalidInputError
    from projections.views import VIEW_NAMES

    if view is not None and view not in VIEW_NAMES:
        raise InvalidInputError(f"no view {view!r}; views are {', '.join(VIEW_NAMES)}")
    names = [view] if view else list(VIEW_NAMES)
    count = rebuild_views(settings.db_url, names, progress_printer("rebuilt"))
    click.echo(f"rebuilt {', '.join(names)} from {count} events", err=True)
