"""The history view finds the organisations an event names in its whole stored object.

``HistoryView.apply`` passes the stored object (envelope included) to
``organisations_named`` instead of copying it without the envelope first:
that is only right while no envelope field can name an organisation.
"""

from __future__ import annotations

from projections.views.history import ENVELOPE, organisations_named


def test_no_envelope_field_names_an_organisation() -> None:
    envelope = {key: "somerset-county-council" for key in ENVELOPE}
    assert organisations_named("challenge:CH-1", envelope) == set()


def test_the_envelope_changes_nothing_about_the_organisations_found() -> None:
    fields = {"partners": ["p-police", "p-health"], "organisation_id": "p-council", "to": "p-la",
              "subject": "not an id"}
    envelope = {"actor_id": "p-scrutineer", "actor_role": "independent_scrutineer", "tier": 2,
                "occurred_on": "2020-01-01", "evidence": ["x"], "originator_id": "org:o", "originator_version": 1}
    assert organisations_named("org:o", fields | envelope) == organisations_named("org:o", fields) == {
        "o", "p-police", "p-health", "p-council", "p-la"}
