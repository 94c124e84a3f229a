"""Schemathesis against the OpenAPI document, on both engines: every operation, generated
inputs, a valid token for its audience; no 5xx, and every answer as documented."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.web.conftest import WebLedger

EXAMPLES_PER_OPERATION = 5
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
]

# Path prefix -> the audience whose token the generated requests carry.
AUDIENCE_BY_PATH = {
    "/api/whoami": "moderation",
    "/api/status": "executive",
    "/api/deadlines": "executive",
    "/api/history": "inspector",
    "/api/cases/": "inspector",
    "/api/scrutineers": "moderation",
    "/api/moderation": "moderation",
    "/api/checkpoint": "executive",
    "/api/proofs/": "inspector",
    "/api/verification": "inspector",
    "/api/bundles/": "inspector",
}


def audience_for(path: str) -> str:
    matches = [prefix for prefix in AUDIENCE_BY_PATH if path.startswith(prefix)]
    assert matches, f"no audience chosen for {path}: add it to AUDIENCE_BY_PATH"
    return AUDIENCE_BY_PATH[max(matches, key=len)]


def test_every_operation_honours_its_openapi_document(web_ledger: WebLedger) -> None:
    from commands.web import create_app

    app = create_app(web_ledger.url, web_ledger.key)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    seen: dict[str, set[int]] = {}

    for operation in operations:
        token = web_ledger.tokens[audience_for(operation.path)]

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            response = case.call()
            seen.setdefault(operation.path, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        exercise()

    assert set(seen) == {op.path for op in operations}
    # The generated inputs reached real answers, not only validation errors.
    assert sum(200 in codes for codes in seen.values()) >= len(operations) - 2, seen
