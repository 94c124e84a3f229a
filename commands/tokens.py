"""Access to the web app and JSON API: bearer tokens, audiences, the access log.

A token is printed once, when issued: ``slt.<token id>.<secret>``, the secret
being 32 random bytes in URL-safe base64. Only the SHA-256 of the secret is
stored (``ledger.storage.access``), with the person it was issued to and the
role it is limited to (or none: any role the person holds).

Each request is authorised afresh against the ledger: the person must hold
the role **today** (Europe/London), so standing someone down ends their
access without touching their token. Roles map onto three audiences:

=================  ================================================  =====================================
audience           roles                                             sees
=================  ================================================  =====================================
``executive``      partnership_chair, lead and delegated             state: status, deadlines, cases,
                   safeguarding partners, business_unit              checkpoint
``inspector``      inspector                                         history, proofs, cases, checkpoint,
                                                                     verification, export bundles
``moderation``     moderator                                         scrutineer activity and moderation
                                                                     outcomes
=================  ================================================  =====================================

An independent scrutineer has no audience here. Every read by an inspector
or the moderation role, and every refused attempt of theirs, is written to
the append-only access log before anything is served.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.base import today_in_london
from ledger.domain.organisations import check_slug
from ledger.domain.people import Person, Role
from ledger.errors import InvalidInputError, NotFoundError, RefusedError
from ledger.records import format_recorded_at
from ledger.storage import access
from ledger.storage.database import Database

TOKEN_PREFIX = "slt"
_TOKEN = re.compile(r"slt\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})", re.ASCII)
_TOKEN_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)


class Audience(StrEnum):
    EXECUTIVE = "executive"
    INSPECTOR = "inspector"
    MODERATION = "moderation"


AUDIENCE_OF_ROLE: dict[Role, Audience] = {
    Role.PARTNERSHIP_CHAIR: Audience.EXECUTIVE,
    Role.LEAD_SAFEGUARDING_PARTNER: Audience.EXECUTIVE,
    Role.DELEGATED_SAFEGUARDING_PARTNER: Audience.EXECUTIVE,
    Role.BUSINESS_UNIT: Audience.EXECUTIVE,
    Role.INSPECTOR: Audience.INSPECTOR,
    Role.MODERATOR: Audience.MODERATION,
}

# Reads by these audiences are written to the access log.
LOGGED_AUDIENCES = frozenset({Audience.INSPECTOR, Audience.MODERATION})


def now_utc() -> str:
    return format_recorded_at(datetime.now(timezone.utc))


def secret_digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    person_id: str
    role: str | None
    issued_at: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Grant:
    """What an authentic token allows today."""

    token_id: str
    person_id: str
    display_name: str
    token_role: str | None
    roles: tuple[Role, ...]

    @property
    def audiences(self) -> frozenset[Audience]:
        return frozenset(AUDIENCE_OF_ROLE[r] for r in self.roles if r in AUDIENCE_OF_ROLE)

    @property
    def role_label(self) -> str:
        """The role(s) the request is made in, for the access log."""
        return ",".join(sorted(r.value for r in self.roles)) or (self.token_role or "none")


class TokenRejected(Exception):
    """No token, a malformed or unknown one, a wrong secret, or a revoked token (401)."""


def _parse_role(role: str | None) -> Role | None:
    if role is None:
        return None
    try:
        return Role(role)
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInputError(f"no role {role!r}; roles are {choices}") from exc


def issue_token(db_url: str, person_id: str, role: str | None, issued_by: str | None = None,
                today: date | None = None) -> IssuedToken:
    """Issue a token for a person who holds a role with an audience today."""
    check_slug(person_id, "person")
    wanted = _parse_role(role)
    app = open_ledger(db_url)
    try:
        person = app.load(Person, person_id)
        held = person.roles_on(today or today_in_london())
        if wanted is not None:
            if wanted not in held:
                raise RefusedError(f"{person_id} does not hold {wanted.value} today")
            if wanted not in AUDIENCE_OF_ROLE:
                raise RefusedError(f"the {wanted.value} role has no access to the web app")
        elif not any(r in AUDIENCE_OF_ROLE for r in held):
            raise RefusedError(
                f"{person_id} holds no role with access to the web app today "
                f"(roles held: {', '.join(sorted(r.value for r in held)) or 'none'})"
            )
        access.ensure_schema(app.database)
        token_id = secrets.token_hex(8)
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
        issued_at = now_utc()
        access.insert_token(app.database, access.TokenRow(
            token_id=token_id,
            secret_sha256=secret_digest(secret),
            person_id=person_id,
            role=None if wanted is None else wanted.value,
            issued_at=issued_at,
            issued_by=issued_by,
            revoked_at=None,
        ))
        token = f"{TOKEN_PREFIX}.{token_id}.{secret}"
        return IssuedToken(token_id, token, person_id, None if wanted is None else wanted.value, issued_at)
    finally:
        app.close()


def _ledger_database(db_url: str) -> Database:
    """The ledger's database, or ``NotFoundError`` (never creates one)."""
    database = Database(db_url)
    if not database.has_schema():
        database.dispose()
        raise NotFoundError(f"no ledger at {database.describe()}; run 'scrutiny init' first")
    return database


def revoke_token(db_url: str, token_id: str) -> str:
    """Revoke a token by id; returns the time of revocation."""
    if not _TOKEN_ID.fullmatch(token_id):
        raise InvalidInputError(f"a token id is 16 hexadecimal digits, not {token_id!r}")
    database = _ledger_database(db_url)
    try:
        access.ensure_schema(database)
        found = access.find_token(database, token_id)
        if found is None:
            raise NotFoundError(f"no token {token_id}")
        if found.revoked_at is not None:
            raise RefusedError(f"token {token_id} was already revoked at {found.revoked_at}")
        at = now_utc()
        if not access.revoke_token(database, token_id, at):
            raise RefusedError(f"token {token_id} was revoked meanwhile")
        return at
    finally:
        database.dispose()


def list_tokens(db_url: str) -> list[dict[str, Any]]:
    """Every token issued (never its secret nor its hash)."""
    database = _ledger_database(db_url)
    try:
        access.ensure_schema(database)
        return [
            {
                "token_id": t.token_id,
                "person_id": t.person_id,
                "role": t.role,
                "issued_at": t.issued_at,
                "issued_by": t.issued_by,
                "revoked_at": t.revoked_at,
                "state": "revoked" if t.revoked_at else "active",
            }
            for t in access.list_tokens(database)
        ]
    finally:
        database.dispose()


def access_log(db_url: str, person_id: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
    """The access log, oldest first."""
    if person_id is not None:
        check_slug(person_id, "person")
    database = _ledger_database(db_url)
    try:
        access.ensure_schema(database)
        return [dict(e.__dict__) for e in access.access_entries(database, person_id, since)]
    finally:
        database.dispose()


def authenticate(app: ScrutinyLedger, token: str | None, today: date | None = None) -> Grant:
    """The grant of an authentic, unrevoked token; ``TokenRejected`` otherwise.

    A person who holds none of the token's roles today gets a grant with no
    roles (the caller answers 403, not 401: the token is genuine).
    """
    if not token:
        raise TokenRejected("no token")
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        raise TokenRejected("malformed token")
    token_id, secret = match.groups()
    row = access.find_token(app.database, token_id)
    if row is None or not hmac.compare_digest(row.secret_sha256, secret_digest(secret)):
        raise TokenRejected("unknown token")
    if row.revoked_at is not None:
        raise TokenRejected("revoked token")
    try:
        person = app.load(Person, row.person_id)
    except NotFoundError as exc:
        raise TokenRejected("no such person") from exc
    held = person.roles_on(today or today_in_london())
    roles = tuple(sorted(r for r in held if row.role is None or r.value == row.role))
    return Grant(token_id, row.person_id, person.display_name, row.role, roles)


def record_access(app: ScrutinyLedger, grant: Grant, method: str, path: str, query: str,
                  outcome: str) -> None:
    access.append_access(
        app.database,
        accessed_at=now_utc(),
        token_id=grant.token_id,
        person_id=grant.person_id,
        role=grant.role_label,
        method=method,
        path=path,
        query=query,
        outcome=outcome,
    )
