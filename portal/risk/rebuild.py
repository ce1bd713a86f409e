"""Recounting the rollups (RiskCell, ResponseCount) from the stored answers, with pandas.

The classification is ``portal.risk.classify``'s, applied column-wise: per survey version, the
status of each distinct (question, answer value) is worked out once by ``answer_status`` (a
survey has few distinct answers per question; numbers are evaluated once per distinct value),
then mapped onto the answer column, reduced per response and indicator (adverse > ok >
missing: "adverse if any adverse, else ok if any valid, else missing"), the FLX composite is
taken from the INV and COE dimensions, and the counts are summed with ``groupby``.

The complete responses are read in chunks of consecutive ids, so memory stays flat however
many answers are stored; only the answers to risk-mapped questions are read. ``rebuild``
replaces the rollups in one transaction: delete, then bulk insert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select, text

from portal.extensions import db
from portal.risk.classify import FLX, answer_status, period_of
from portal.risk.models import ResponseCount, RiskCell

#: Status codes, ordered so that the maximum over several answers is the indicator's status.
MISSING, OK, ADVERSE = 0, 1, 2
NOTHING = -1  # the answer says nothing (empty, not a number, not risk-mapped)
CODES = {None: NOTHING, "missing": MISSING, "ok": OK, "adverse": ADVERSE}
DIMENSIONS = {None: 0, "INV": 1, "COE": 2}
CELL_KEY = ["site_id", "stakeholder_group", "indicator", "period"]
COUNT_KEY = ["campaign_id", "site_id", "day"]
RESPONSE_COLUMNS = ["id", "survey_version_id", "campaign_id", "site_id", "stakeholder_group",
                    "submitted_on"]  # fmt: skip
ANSWER_COLUMNS = ["response_id", "survey_version_id", "question", "value"]
READ_COLUMNS = ["response_id", "question", "value"]


class Classifier:
    """The risk-mapped questions of some survey versions, and the status of every (version,
    question, value) met so far (computed once by ``answer_status``)."""

    def __init__(self, specs: dict[int, object]):
        self.indicators: list[str] = []
        self._index: dict[str, int] = {}
        self._questions: dict[tuple[int, str], tuple] = {}
        self._seen: dict[tuple[int, str, str], tuple[int, int, int]] = {}
        for version_id, spec in specs.items():
            for question in spec.questions:
                # classify() visits every question of the spec in order; a repeated name would
                # be visited twice, with the same answer, which changes nothing.
                if question.risk is None or (version_id, question.name) in self._questions:
                    continue
                choices = spec.choices.get(question.list_name or "", [])
                self._questions[(version_id, question.name)] = (question, choices)
                self._indicator(question.risk.indicator)

    def _indicator(self, name: str) -> int:
        if name not in self._index:
            self._index[name] = len(self.indicators)
            self.indicators.append(name)
        return self._index[name]

    @property
    def questions(self) -> set[str]:
        """Names of the risk-mapped questions (of any version): the answers worth reading."""
        return {name for _version, name in self._questions}

    def _status(self, version_id: int, name: str, value: str) -> tuple[int, int, int]:
        key = (version_id, name, value)
        found = self._seen.get(key)
        if found is None:
            question, choices = self._questions.get((version_id, name), (None, None))
            if question is None:
                found = (NOTHING, 0, 0)
            else:
                status = answer_status(question, value, choices)
                found = (
                    CODES[status],
                    self._index[question.risk.indicator],
                    DIMENSIONS[question.risk.dimension],
                )
            self._seen[key] = found
        return found

    def statuses(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Per answer row that says something: response_id, indicator (index into
        ``indicators``), dimension (0 none, 1 INV, 2 COE) and code (MISSING, OK, ADVERSE)."""
        if answers.empty:
            return pd.DataFrame({"response_id": [], "indicator": [], "dimension": [], "code": []})
        # Each column factorized on its own, the three codes combined into one integer key.
        parts = [
            pd.factorize(answers[name], use_na_sentinel=False)
            for name in ("survey_version_id", "question")
        ]
        parts.append(pd.factorize(answers["value"], use_na_sentinel=False))
        combined = np.zeros(len(answers), dtype=np.int64)
        for codes, uniques in parts:
            combined = combined * len(uniques) + codes
        distinct, rows = np.unique(combined, return_inverse=True)
        keys = []
        for _codes, uniques in reversed(parts):
            keys.append(np.asarray(uniques, dtype=object)[distinct % len(uniques)])
            distinct = distinct // len(uniques)
        version, question, value = reversed(keys)
        table = np.array(
            [self._status(int(v), q, t) for v, q, t in zip(version, question, value, strict=True)],
            dtype=np.int16,
        ).reshape(-1, 3)
        code, indicator, dimension = (table[rows, column] for column in range(3))
        said = code != NOTHING
        return pd.DataFrame({
            "response_id": answers["response_id"].to_numpy()[said],
            "indicator": indicator[said], "dimension": dimension[said], "code": code[said],
        })  # fmt: skip

    def per_response(self, answers: pd.DataFrame) -> pd.DataFrame:
        """response_id, indicator (its id) and code: ``classify()`` of every response."""
        rows = self.statuses(answers)
        columns = ["response_id", "indicator", "code"]
        if rows.empty:
            return pd.DataFrame({name: [] for name in columns})
        result = rows.groupby(["response_id", "indicator"], sort=False)["code"].max()
        result = result.reset_index()
        result["indicator"] = np.array(self.indicators, dtype=object)[result["indicator"]]
        # FLX: a valid answer in both dimensions; adverse when an adverse one in each.
        valid = rows[(rows["dimension"] > 0) & (rows["code"] != MISSING)]
        sides = valid.groupby(["response_id", "dimension"], sort=False)["code"].max().unstack()
        if {1, 2} <= set(sides.columns):
            both = sides.dropna(subset=[1, 2])
            composite = pd.DataFrame({
                "response_id": both.index.to_numpy(), "indicator": FLX,
                "code": np.where((both[1] == ADVERSE) & (both[2] == ADVERSE), ADVERSE, OK),
            })  # fmt: skip
            if FLX in self._index:  # the composite wins over a question mapped to FLX itself
                replaced = result["response_id"].isin(composite["response_id"])
                result = result[~(result["indicator"].eq(FLX) & replaced)]
            result = pd.concat([result, composite], ignore_index=True)
        return result[columns]


def cell_counts(statuses: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """RiskCell counts (k, n, missing per site × group × indicator × period) of a chunk."""
    periods = {day: period_of(day) for day in responses["submitted_on"].unique()}
    about = pd.DataFrame({
        "site_id": responses["site_id"].to_numpy(),
        "stakeholder_group": responses["stakeholder_group"].to_numpy(),
        "period": responses["submitted_on"].map(periods).to_numpy(),
    }, index=responses["id"].to_numpy())  # fmt: skip
    rows = statuses.join(about, on="response_id", how="inner")
    code = rows["code"].to_numpy()
    rows = rows.assign(k=code == ADVERSE, n=code != MISSING, missing=code == MISSING)
    return rows.groupby(CELL_KEY, sort=False)[["k", "n", "missing"]].sum().astype(np.int64)


def response_counts(responses: pd.DataFrame) -> pd.DataFrame:
    """ResponseCount counts (responses per campaign × site × day) of a chunk."""
    frame = responses.rename(columns={"submitted_on": "day"})
    return frame.groupby(COUNT_KEY, sort=False).size().to_frame("count")


def _of_responses(answers: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """The answers of these responses (not of others in their id range: drafts, SAQs), with
    the survey version each response answered."""
    position = pd.Index(responses["id"]).get_indexer(answers["response_id"])
    kept = position >= 0
    if not kept.all():
        answers, position = answers[kept], position[kept]
    versions = responses["survey_version_id"].to_numpy()[position]
    return answers.assign(survey_version_id=versions)[ANSWER_COLUMNS]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read_frame(connection, stmt, columns: list[str], reader: str = "cursor") -> pd.DataFrame:
    """The rows of a select as a DataFrame. ``cursor``: the select compiled for the dialect and
    run on the DB-API connection, the frame built from the driver's tuples (SQLAlchemy's Row
    objects make ``from_records`` several times slower); ``read_sql``: ``pandas.read_sql``
    (bench/rebuild.py measures both)."""
    if reader == "read_sql":
        frame = pd.read_sql(stmt, connection)
        frame.columns = columns
        return frame
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def complete_responses() -> int:
    """How many responses a rebuild would count."""
    from portal.surveys.models import Response

    stmt = select(func.count(Response.id)).where(Response.status == "complete")
    return db.session.scalar(stmt) or 0


def recount(
    connection,
    chunk: int = 5_000,
    progress: Callable[[int], None] | None = None,
    reader: str = "cursor",
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Count the complete responses' answers: (cells, counts, responses counted). Reads
    ``chunk`` responses at a time, in id order; ``progress`` gets each chunk's size."""
    from portal.surveys.models import Answer, Response, SurveyVersion

    complete = Response.status == "complete"
    used = select(Response.survey_version_id).where(complete).distinct()
    specs = {
        version.id: version.spec()
        for version in db.session.scalars(select(SurveyVersion).where(SurveyVersion.id.in_(used)))
    }
    classifier = Classifier(specs)
    names = sorted(classifier.questions)
    responses_stmt = select(
        Response.id, Response.survey_version_id, Response.campaign_id, Response.site_id,
        Response.stakeholder_group, Response.submitted_on,
    ).where(complete).order_by(Response.id)  # fmt: skip
    # No join: the chunk's responses say which answers count (a join costs a quarter more).
    answers_stmt = select(Answer.response_id, Answer.question, Answer.value).where(
        Answer.question.in_(names)
    )
    cells, counts, counted, last = [], [], 0, None
    while True:
        stmt = responses_stmt if last is None else responses_stmt.where(Response.id > last)
        responses = read_frame(connection, stmt.limit(chunk), RESPONSE_COLUMNS, reader)
        if responses.empty:
            break
        days = {day: _as_date(day) for day in responses["submitted_on"].unique()}
        responses["submitted_on"] = responses["submitted_on"].map(days)
        first, last = int(responses["id"].iloc[0]), int(responses["id"].iloc[-1])
        if names:
            chunk_stmt = answers_stmt.where(Answer.response_id.between(first, last))
            answers = _of_responses(read_frame(connection, chunk_stmt, READ_COLUMNS, reader),
                                    responses)  # fmt: skip
            cells.append(cell_counts(classifier.per_response(answers), responses))
        counts.append(response_counts(responses))
        counted += len(responses)
        if progress is not None:
            progress(len(responses))
        if len(counts) > 50:  # the partial sums stay small: fold them now and then
            cells = [pd.concat(cells).groupby(level=CELL_KEY, sort=False).sum()] if cells else []
            counts = [pd.concat(counts).groupby(level=COUNT_KEY, sort=False).sum()]
    return (
        _total(cells, CELL_KEY, ["k", "n", "missing"]),
        _total(counts, COUNT_KEY, ["count"]),
        counted,
    )


def _total(parts: list[pd.DataFrame], key: list[str], values: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({name: [] for name in key + values})
    return pd.concat(parts).groupby(level=key, sort=True).sum().reset_index()


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows with plain Python values (drivers do not adapt numpy scalars)."""
    return [
        {name: value.item() if isinstance(value, np.generic) else value
         for name, value in row.items()}
        for row in frame.to_dict("records")
    ]  # fmt: skip


def rebuild(
    chunk: int = 5_000, progress: Callable[[int], None] | None = None, reader: str = "cursor"
) -> int:
    """Replace every rollup by a recount of the stored answers, in one transaction; returns
    the number of responses counted. Never after a retention purge (see ``rollup.rebuild``)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Submissions wait until the new rollups are committed, then add their own increments:
        # none is counted twice or lost. In the order a submission writes them, so that one
        # already half-way through finishes first (SQLite: the delete takes the write lock).
        connection.execute(text("LOCK TABLE response_counts, risk_cells IN EXCLUSIVE MODE"))
    db.session.execute(delete(RiskCell))
    db.session.execute(delete(ResponseCount))
    cells, counts, counted = recount(connection, chunk, progress, reader)
    if len(cells):
        db.session.execute(RiskCell.__table__.insert(), _records(cells))
    if len(counts):
        db.session.execute(ResponseCount.__table__.insert(), _records(counts))
    db.session.commit()
    return counted
