"""Who may use each export route (discovered by tests/test_access_matrix.py).

Exports are for the buying company's compliance team only: raw answers and the case register
never go to supplier accounts, monitors or admins.
"""

from __future__ import annotations

EXPECTED = {
    "exports.index": {"compliance"},
    "exports.download": {"compliance"},
    "exports.wide_form": {"compliance"},
    # version_id: the survey version tests/surveys/access.py deploys.
    "exports.wide_download": {"compliance"},
}


def extend_world(factory, world) -> dict:
    return {"name": "responses", "fmt": "csv"}
