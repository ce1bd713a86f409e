"""The data dictionary: every column of every export, what it means and its type.

Column names are stable machine names (snake_case English) so that scripts reading the files do
not break when the interface language changes; meanings are translated. ``services`` builds
each export's header from these tuples, so an export cannot have an undocumented column.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.risk.suppression import STAFF_THRESHOLD


@dataclass(frozen=True)
class Column:
    name: str
    meaning: object  # a lazy translated string
    #: text, integer, number, date, code, yes/no
    type: str


RESPONSES = (
    Column("response", _l("Sequence number of the response within this file (1, 2, 3 …). It "
                          "is not the database id and changes from one export to the next, so "
                          "files cannot be linked to each other or to other records; rows of one "
                          "response share it. Responses are ordered by campaign, site and day, "
                          "and shuffled within a day, so the order does not reveal who answered "
                          "first."), "integer"),
    Column("campaign", _l("Name of the campaign the response belongs to."), "text"),
    Column("form_id", _l("Identifier of the survey definition (form_id)."), "code"),
    Column("survey_version", _l("Version label of the survey definition that was answered."),
           "text"),
    Column("site_code", _l("Public site code of the facility."), "code"),
    Column("site_name", _l("Name of the facility."), "text"),
    Column("country", _l("Country of the facility (ISO 3166-1 alpha-2)."), "code"),
    Column("supplier", _l("Name of the supplier that runs the facility."), "text"),
    Column("stakeholder_group", _l("Stakeholder group of the campaign (workers, communities, "
                                   "ngos, employees, investors)."), "code"),
    Column("language", _l("Language the respondent answered in."), "code"),
    Column("submitted_on", _l("Day the response was submitted (UTC). Anonymous responses are "
                              "stored to the day only: there is no time and no respondent."),
           "date"),
    Column("question", _l("Name of the question in the survey definition."), "code"),
    Column("question_label", _l("Question text in the survey's default language."), "text"),
    Column("value", _l("The answer as stored: choice names (several separated by spaces for "
                       "select_multiple), numbers or text."), "text"),
    Column("value_label", _l("For choice questions: the label of each chosen option in the "
                             "survey's default language, separated by \"; \"."), "text"),
    Column("number", _l("Numeric value of integer, decimal and range answers; empty "
                        "otherwise."), "number"),
    Column("indicator", _l("Risk indicator the question feeds (DESIGN §6 catalogue: FL01–FL11, "
                           "CL01, CL02, FA01, ND01, OSH01, GV01); empty when none."), "code"),
)  # fmt: skip

SIGNALS = (
    Column("period", _l("Calendar quarter of the signal, such as 2026-Q4."), "code"),
    Column("stakeholder_group", _l("Stakeholder group whose answers the signal counts."), "code"),
    Column("site_code", _l("Public site code of the facility."), "code"),
    Column("site_name", _l("Name of the facility."), "text"),
    Column("supplier", _l("Name of the supplier that runs the facility."), "text"),
    Column("country", _l("Country of the facility (ISO 3166-1 alpha-2)."), "code"),
    Column("indicator", _l("Risk indicator id; FLX is the forced-labour composite (an adverse "
                           "involuntariness and an adverse coercion answer)."), "code"),
    Column("indicator_name", _l("Name of the indicator."), "text"),
    Column("status", _l("\"shown\", or \"suppressed\" when the cell counts fewer than %(n)s "
                        "valid answers: a suppressed row carries no numbers.",
                        n=STAFF_THRESHOLD), "code"),
    Column("k", _l("Respondents whose answer was adverse."), "integer"),
    Column("n", _l("Respondents with a valid answer (refusals and \"don't know\" excluded)."),
           "integer"),
    Column("missing", _l("Respondents who refused or did not know."), "integer"),
    Column("baseline", _l("Pooled baseline rate p0 of this group and indicator across all sites "
                          "in the period (the centre of the prior)."), "number"),
    Column("posterior_mean", _l("Estimated rate: mean of the Beta posterior (prior weight 10 "
                                "centred on the baseline)."), "number"),
    Column("posterior_low_90",
           _l("Lower end of the %(level)s credible interval of the rate.", level="90 %"),
           "number"),
    Column("posterior_high_90",
           _l("Upper end of the %(level)s credible interval of the rate.", level="90 %"),
           "number"),
    Column("raw_rate", _l("k divided by n."), "number"),
    Column("wilson_low_95",
           _l("Lower end of the Wilson %(level)s interval of the raw rate.", level="95 %"),
           "number"),
    Column("wilson_high_95",
           _l("Upper end of the Wilson %(level)s interval of the raw rate.", level="95 %"),
           "number"),
    Column("score", _l("Risk score 0–100: 100 × the probability that the true rate exceeds the "
                       "indicator's tolerance (%(strict)s for zero-tolerance indicators, else "
                       "%(other)s).",
                       strict="2 %", other="10 %"),
           "number"),
    Column("band", _l("Band of the score: low (< 20), medium (20–50), high (50–80), critical "
                      "(≥ 80)."), "code"),
    Column("effective_band", _l("Band after grievance overrides: a credible zero-tolerance case "
                                "lifts it to at least high, a substantiated one to critical. "
                                "Overrides come from cases, not from the cell, so they are "
                                "exported for suppressed cells too."), "code"),
    Column("override", _l("credible_case or substantiated_case when a grievance lifts the band; "
                          "empty otherwise."), "code"),
    Column("discrepancy", _l("yes when the supplier's questionnaire denies an indicator on which "
                             "its workers score high or critical."), "yes/no"),
    Column("refusal_rate", _l("Share of respondents who refused or did not know: missing / "
                              "(n + missing)."), "number"),
    Column("site_needs_attention", _l("yes when some zero-tolerance report of this site and "
                                      "group sits inside a suppressed cell (a site-level flag "
                                      "without the breakdown)."), "yes/no"),
)  # fmt: skip

CASES = (
    Column("case", _l("Case number, as shown on the case pages."), "integer"),
    Column("site_code", _l("Public site code of the facility; empty for cases from the general "
                           "entry not yet linked to a site."), "code"),
    Column("site_name", _l("Name of the facility; empty when the case is not linked to a "
                           "site."), "text"),
    Column("reported_place", _l("For cases not linked to a site: the place in the reporter's "
                                "words."), "text"),
    Column("supplier", _l("Name of the supplier that runs the facility."), "text"),
    Column("country", _l("Country of the facility (ISO 3166-1 alpha-2)."), "code"),
    Column("stakeholder_group", _l("Stakeholder group the reporter speaks for."), "code"),
    Column("category", _l("What the case is about (the category the reporter chose)."), "code"),
    Column("status", _l("Workflow step: new, acknowledged, investigating, action_planned, "
                        "resolved, closed, rejected or duplicate."), "code"),
    Column("severity", _l("low, medium, high or critical; empty until assessed."), "code"),
    Column("indicators", _l("Risk indicators the case is tagged with, separated by spaces."),
           "code"),
    Column("received_on", _l("Day the report arrived (reporters' actions are stored to the "
                             "day)."), "date"),
    Column("acknowledge_due_on", _l("Day by which the case must be acknowledged. Deadlines are "
                                    "exported as days, not times, so that the hour of intake "
                                    "does not leave the system."), "date"),
    Column("resolve_due_on", _l("Day by which the case must be resolved."), "date"),
    Column("acknowledged_on", _l("Day the case was acknowledged."), "date"),
    Column("resolved_on", _l("Day the case was resolved."), "date"),
    Column("overdue", _l("yes when a deadline has passed and the case is still open."),
           "yes/no"),
    Column("overdue_step", _l("Which deadline passed: acknowledge or resolve; empty when not "
                              "overdue."), "code"),
    Column("satisfaction", _l("The reporter's view of the outcome: satisfied, partly or "
                              "not_satisfied; empty when not given."), "code"),
)  # fmt: skip

#: Only with ``?free_text=1``: the reporter's own words. Messages and the call-back contact are
#: never exported.
DESCRIPTION = Column(
    "description",
    _l("What happened, in the reporter's words (only in files exported with free text). Case "
       "messages and the call-back contact are never exported."),
    "text",
)  # fmt: skip

DICTIONARY = (
    Column("export", _l("Name of the export the row describes."), "code"),
    Column("column", _l("Column name as it appears in the export's header row."), "code"),
    Column("meaning", _l("What the column holds."), "text"),
    Column("type", _l("text, integer, number, date (YYYY-MM-DD), code (a fixed vocabulary) or "
                      "yes/no; \"note\" rows describe the file rather than a column."), "code"),
)  # fmt: skip

FORMULA_NOTE = _l(
    "Text cells that begin with =, +, -, @, a tab or a carriage return are prefixed with an "
    "apostrophe (') so that spreadsheet programs do not run them as formulas; plain numbers "
    "such as -3 are left as they are."
)


def columns(name: str, *, free_text: bool = False) -> tuple[Column, ...]:
    """The columns of export ``name`` in file order."""
    if name == "cases":
        return (*CASES, DESCRIPTION) if free_text else CASES
    return {"responses": RESPONSES, "signals": SIGNALS, "dictionary": DICTIONARY}[name]


def every_column() -> dict[str, tuple[Column, ...]]:
    """Each export with all the columns it can have (cases with its optional free text; the
    wide export with its head columns and the patterns of its question columns)."""
    from portal.exports.wide import columns_for_dictionary

    return {
        "responses": RESPONSES,
        "wide": columns_for_dictionary(),
        "signals": SIGNALS,
        "cases": (*CASES, DESCRIPTION),
        "dictionary": DICTIONARY,
    }


def rows(exports: dict[str, tuple[Column, ...]], notes: dict[str, list[str]]):
    """The dictionary's rows: each export's columns, then its notes."""
    for name, columns in exports.items():
        for column in columns:
            yield [name, column.name, str(column.meaning), column.type]
        for note in notes.get(name, ()):
            yield [name, "", note, "note"]
