"""Small-group protection: thresholds, boundaries, and attempts to recover hidden cells."""

from __future__ import annotations

import itertools

import pytest

from portal.risk.suppression import (
    PUBLIC_THRESHOLD,
    STAFF_THRESHOLD,
    hidden_cells,
    threshold_for,
    visible_total,
)


class _User:
    def __init__(self, role):
        self.role = role


@pytest.mark.parametrize(
    ("role", "expected"),
    [("compliance", 5), ("monitor", 5), ("supplier", 10), ("admin", 10), (None, 10)],
)
def test_thresholds_by_audience(role, expected):
    assert threshold_for(_User(role) if role else None) == expected


@pytest.mark.parametrize(
    ("n", "threshold", "hidden"),
    [(4, STAFF_THRESHOLD, True), (5, STAFF_THRESHOLD, False),
     (9, PUBLIC_THRESHOLD, True), (10, PUBLIC_THRESHOLD, False), (0, STAFF_THRESHOLD, False)],
)  # fmt: skip
def test_boundaries(n, threshold, hidden):
    assert (("a", "x") in hidden_cells({("a", "x"): n}, threshold, complementary=False)) is hidden


def _recoverable(counts, hidden):
    """Every hidden cell an attacker can compute exactly from the published cells and the
    row and column totals (solving single-unknown lines, repeatedly)."""
    rows = {r for r, _ in counts}
    cols = {c for _, c in counts}
    row_total = {r: sum(v for (rr, _), v in counts.items() if rr == r) for r in rows}
    col_total = {c: sum(v for (_, cc), v in counts.items() if cc == c) for c in cols}
    known = {cell: value for cell, value in counts.items() if cell not in hidden}
    progress = True
    while progress:
        progress = False
        for axis, totals in ((0, row_total), (1, col_total)):
            for line, total in totals.items():
                cells = [cell for cell in counts if cell[axis] == line]
                unknown = [cell for cell in cells if cell not in known]
                if len(unknown) == 1:
                    known[unknown[0]] = total - sum(known[c] for c in cells if c in known)
                    progress = True
    return {cell for cell in hidden if cell in known}


def test_a_hidden_cell_cannot_be_recovered_from_totals_with_complementary_suppression():
    counts = {
        ("site A", "FL03"): 7, ("site A", "FL09"): 40, ("site A", "FL02"): 35,
        ("site B", "FL03"): 25, ("site B", "FL09"): 3, ("site B", "FL02"): 28,
        ("site C", "FL03"): 30, ("site C", "FL09"): 31, ("site C", "FL02"): 33,
    }  # fmt: skip
    primary = hidden_cells(counts, PUBLIC_THRESHOLD, complementary=False)
    assert primary == {("site A", "FL03"), ("site B", "FL09")}
    # Without complementary suppression the totals give both hidden cells straight back.
    assert _recoverable(counts, primary) == primary
    protected = hidden_cells(counts, PUBLIC_THRESHOLD, complementary=True)
    assert primary < protected
    assert _recoverable(counts, protected) == set()
    for axis in (0, 1):
        for line in {cell[axis] for cell in counts}:
            inside = [cell for cell in protected if cell[axis] == line]
            assert len(inside) != 1


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leak_a_hidden_cell(seed):
    import random

    rng = random.Random(seed)
    rows, cols = rng.randint(2, 6), rng.randint(2, 6)
    counts = {
        (f"r{r}", f"c{c}"): rng.choice([0, 1, 3, 4, 6, 9, 12, 25, 60])
        for r, c in itertools.product(range(rows), range(cols))
    }
    protected = hidden_cells(counts, PUBLIC_THRESHOLD, complementary=True)
    assert {cell for cell, n in counts.items() if 0 < n < PUBLIC_THRESHOLD} <= protected
    assert _recoverable(counts, protected) == set()


def test_visible_total_refuses_a_line_with_one_hidden_cell():
    counts = {("a", "x"): 3, ("a", "y"): 20}
    hidden = hidden_cells(counts, STAFF_THRESHOLD, complementary=False)
    assert visible_total(counts, hidden, "a", 0) is None
    assert visible_total(counts, set(), "a", 0) == 23
