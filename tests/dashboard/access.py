"""Who may use each dashboard route (discovered by tests/test_access_matrix.py).

Compliance sees every site, monitors their assigned sites, suppliers their own sites (with the
public suppression threshold); admins see
no supplier data at all.
"""

from __future__ import annotations

READERS = {"compliance", "monitor", "supplier"}

EXPECTED = {
    "dashboard.overview": READERS,
    "dashboard.heatmap": READERS,
    "dashboard.site": READERS,
    "dashboard.indicator": READERS,
}


def extend_world(factory, world) -> dict:
    return {"indicator": "FL03"}
