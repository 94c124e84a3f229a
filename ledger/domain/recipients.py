"""National recipients of notifications and reports, resolved by role and date.

The partnership sends serious-incident notifications, rapid reviews and
copies of reviews to the Child Safeguarding Practice Review Panel and the
Secretary of State, and its yearly report to the Panel and the What Works
Centre for Children's Social Care, which became Foundations on 2023-06-06.
Which organisation that is on a given date is resolved from the
organisations holding the national role, following successions: if the What
Works Centre was succeeded by Foundations on 2023-06-06, a report sent on
2023-06-05 goes to the What Works Centre and one sent on 2023-06-06 to
Foundations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ledger.domain.organisations import NationalRole, Organisation
from ledger.errors import RefusedError

SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"


class Recipient(BaseModel):
    """A national recipient, resolved by role on the date something was sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: NationalRole
    organisation_id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)


def resolve_recipient(
    role: NationalRole,
    on: date,
    holders: Iterable[Organisation],
    load: Callable[[str], Organisation],
) -> Recipient:
    """The organisation that held ``role`` on ``on``, following successions.

    ``holders`` are the organisations registered with the role; ``load``
    fetches a successor by id. Refused when none, or more than one, did.
    """
    found: dict[str, Organisation] = {}
    for holder in holders:
        if holder.national_role is not role:
            continue
        current = holder
        seen = {current.key}
        while (
            current.ended_on is not None
            and current.ended_on <= on
            and current.successor_id is not None
            and current.successor_id not in seen
        ):
            current = load(current.successor_id)
            seen.add(current.key)
        if current.existed_on(on):
            found[current.key] = current
    if not found:
        raise RefusedError(
            f"no organisation held the national role {role.value} on {on.isoformat()}; "
            f"register it as a national_body with that national role"
        )
    if len(found) > 1:
        raise RefusedError(
            f"several organisations held the national role {role.value} on {on.isoformat()} "
            f"({', '.join(sorted(found))}); end all but one"
        )
    [organisation] = found.values()
    name = organisation.name_on(on) or organisation.name
    return Recipient(role=role, organisation_id=organisation.key, name=name)
