"""Small-group protection (DESIGN §6), applied in one place through which every number leaves
the scoring layer: dashboards, exports and any later report.

- Compliance and monitors see no cell with n < 5.
- Suppliers and anything public see no cell with n < 10, with complementary suppression: in a
  table published with row or column totals, a row or column never has exactly one hidden
  cell, or that cell could be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

STAFF_THRESHOLD = 5
PUBLIC_THRESHOLD = 10


def threshold_for(user) -> int:
    """5 for compliance and monitors; 10 for suppliers and anyone else (public), and for
    anything published (a public report, an evidence pack: ``user.publishes``)."""
    if getattr(user, "publishes", False):
        return PUBLIC_THRESHOLD
    return (
        STAFF_THRESHOLD
        if getattr(user, "role", None) in ("compliance", "monitor")
        else (PUBLIC_THRESHOLD)
    )


def needs_complementary(user) -> bool:
    return threshold_for(user) == PUBLIC_THRESHOLD


def hidden_cells(
    counts: Mapping[tuple[Hashable, Hashable], int],
    threshold: int,
    *,
    complementary: bool,
) -> set[tuple[Hashable, Hashable]]:
    """Cells of a (row, column) → n table that must not be shown.

    Primary suppression hides every cell with 0 < n < threshold. Complementary suppression
    then hides, in any row or column left with exactly one hidden cell, the smallest other
    cell as well, repeating until no row or column has a single hidden cell, so that row and
    column totals cannot give a hidden cell back. A line of a single cell cannot be protected
    that way: ``visible_total`` withholds such totals."""
    hidden = {cell for cell, n in counts.items() if 0 < n < threshold}
    if not complementary:
        return hidden
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines: dict[Hashable, list[tuple[Hashable, Hashable]]] = {}
            for cell in counts:
                lines.setdefault(cell[axis], []).append(cell)
            for cells in lines.values():
                inside = [cell for cell in cells if cell in hidden]
                if len(inside) != 1:
                    continue
                # The smallest other cell; an empty one if nothing else is left (a hidden
                # zero tells an attacker nothing, a published zero tells them everything).
                candidates = sorted(
                    (cell for cell in cells if cell not in hidden),
                    key=lambda cell: (counts[cell] == 0, counts[cell], str(cell)),
                )
                if candidates:
                    hidden.add(candidates[0])
                    changed = True
    return hidden


def visible_total(counts: Mapping, hidden: set, line: Hashable, axis: int) -> int | None:
    """A row/column total that is safe to show: None when hiding one cell would be undone by
    it (only possible without complementary suppression)."""
    cells = [cell for cell in counts if cell[axis] == line]
    inside = [cell for cell in cells if cell in hidden]
    if len(inside) == 1:
        return None
    return sum(counts[cell] for cell in cells)
