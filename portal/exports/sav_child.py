"""Write an SPSS .sav file from rows sent on stdin: run as a process of its own by
``wide_files.sav_file`` (``python -I sav_child.py``), so that pandas and the whole data frame
that pyreadstat needs live and die with it, not in the web worker.

Reads pickles from stdin: the layout (a dict), then batches of columns (one tuple of values
per column: floats or None for numbers, str or None for text, dates or None for days), then
None. Writes the file to the layout's ``path`` and exits 0; anything else is an error (the
parent reads the traceback from stderr). Imports nothing from the portal: it must start fast
and small.
"""

from __future__ import annotations

import pickle
import sys
from array import array
from datetime import date


class _Strings:
    """A text column: each distinct string once, a code per row (-1: no answer)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.codes = array("i")

    def extend(self, values) -> None:
        index = self.index
        self.codes.extend(-1 if v is None else index.setdefault(v, len(index)) for v in values)

    def result(self):
        import numpy as np

        values = np.empty(len(self.index) + 1, dtype=object)
        values[: len(self.index)] = list(self.index)
        values[-1] = ""
        return values[np.frombuffer(self.codes, dtype=np.int32)]


class _Numbers:
    def __init__(self) -> None:
        self.values = array("d")

    def extend(self, values) -> None:
        nan = float("nan")
        self.values.extend(nan if v is None else v for v in values)

    def result(self):
        import numpy as np

        return np.frombuffer(self.values, dtype=np.float64)


class _Days:
    def __init__(self) -> None:
        self.days = array("i")

    def extend(self, values) -> None:
        self.days.extend(0 if v is None else v.toordinal() for v in values)

    def result(self):
        import numpy as np

        known: dict[int, date] = {}
        days = [None if not day else known.get(day) or known.setdefault(day, date.fromordinal(day))
                for day in self.days]  # fmt: skip
        return np.array(days, dtype=object)


def main() -> None:
    import pandas as pd
    import pyreadstat

    stream = sys.stdin.buffer
    layout = pickle.load(stream)  # noqa: S301 (from our own parent process)
    kinds = {"number": _Numbers, "text": _Strings, "date": _Days}
    stores = [kinds[kind]() for kind in layout["kinds"]]
    while (batch := pickle.load(stream)) is not None:  # noqa: S301
        for store, values in zip(stores, batch, strict=True):
            store.extend(values)
    data = {}
    for position, name in enumerate(layout["names"]):
        store, stores[position] = stores[position], None  # each store goes once its column is made
        data[name] = pd.Series(store.result(), copy=False,
                               dtype=None if isinstance(store, _Numbers) else object)  # fmt: skip
    frame = pd.DataFrame(data, copy=False)
    del data
    pyreadstat.write_sav(
        frame, layout["path"], file_label=layout["file_label"],
        column_labels=layout["labels"], variable_value_labels=layout["value_labels"],
        variable_measure=layout["measure"], note=layout["notes"],
    )  # fmt: skip


if __name__ == "__main__":
    main()
