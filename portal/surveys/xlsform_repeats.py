"""Repeats and loops of an XLSForm, answered one instance per screen without JavaScript.

The portal's forms are evaluated on the server, screen by screen, and its answers are one value
per question. A repeat is therefore *unrolled* at import into numbered groups, each shown as
one screen (``field-list``), with its questions named ``<name>_<n>``:

* ``repeat_count`` a number (up to ``MAX_FIXED``): exactly that many instances;
* ``repeat_count`` an expression such as ``${members}``: up to ``MAX_INSTANCES`` instances,
  instance *n* shown while the expression is at least *n*;
* no ``repeat_count``: instance 1, and at its end the question "Add another?"; each "yes"
  opens the next instance, up to ``MAX_INSTANCES``;
* ``begin loop over LIST``: one instance per choice of LIST, named ``<name>_<choice>``, with
  ``%(label)s`` and ``%(name)s`` in labels replaced as pyxform does.

Inside an instance, ``${sibling}`` means the sibling of the same instance and ``position(..)``
its number. The long export lists each instance's answers under their numbered names. A repeat
inside a repeat is refused (by the reader) and risk mappings inside a repeat are dropped, so
one response never counts twice for an indicator.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_INSTANCES = 10
MAX_FIXED = 50
MORE_LIST = "_add_another"
#: Per unrolled repeat: (name, its question names, instance suffixes, instance count expression).
Summary = tuple[str, set[str], list[str], str]


def N_(message: str) -> str:  # gettext's name for "extract now, translate later"
    return message


ADD_ANOTHER = N_("Add another?")
YES_ANOTHER = N_("Yes, add another")
NO_MORE = N_("No, that is all")

EXPRESSIONS = ("relevant", "constraint", "calculation", "choice_filter", "required")


def unroll(
    questions: list[dict],
    rows: list[int],
    choices: dict[str, list[dict]],
    languages: list[str],
    translate: Callable[[str, str], str],
    note: Callable[[str], None],
    error: Callable[[str, str | None], None],
) -> tuple[list[dict], list[int]]:
    """Questions and their sheet rows with every ``begin repeat`` block unrolled."""
    out: list[dict] = []
    out_rows: list[int] = []
    summaries: list[Summary] = []
    index = 0
    while index < len(questions):
        question = questions[index]
        if question["type"] == "end repeat":
            error(f"survey sheet row {rows[index]}: 'end repeat' without a begin", None)
            index += 1
            continue
        if question["type"] != "begin repeat":
            out.append(question)
            out_rows.append(rows[index])
            index += 1
            continue
        end = next(
            (j for j in range(index + 1, len(questions)) if questions[j]["type"] == "end repeat"),
            None,
        )
        if end is None:
            error(f"survey sheet row {rows[index]}: this repeat is never closed", question["name"])
            return out, out_rows
        body = questions[index + 1 : end]
        where = f"survey sheet row {rows[index]}"
        made = _unroll_one(question, body, choices, languages, translate, note, error, where)
        out.extend(made)
        out_rows.extend([rows[index]] * len(made))
        summaries.append(_summary(question, body, made))
        index = end + 1
    if summaries:
        # Outside the repeats, count(${repeat}) and sum(${question}) read every instance.
        for question in out:
            if not question.get("_unrolled"):
                for field in EXPRESSIONS:
                    if isinstance(question.get(field), str):
                        question[field] = _aggregates(question[field], summaries)
        for question in out:
            question.pop("_unrolled", None)
    return out, out_rows


def _summary(repeat: dict, body: list[dict], made: list[dict]) -> Summary:
    """(repeat name, its question names, instance suffixes, count expression)."""
    name = repeat.get("name") or "repeat"
    groups = [q for q in made if q["type"] == "begin group" and q.get("_instance")]
    suffixes = [group["_instance"] for group in groups]
    present = [f"boolean({group['relevant']})" if group.get("relevant") else "true()"
               for group in groups]  # fmt: skip
    count = " + ".join(f"number({item})" for item in present) or "0"
    for question in made:
        question.pop("_instance", None)
        question["_unrolled"] = True
    return name, {q["name"] for q in body if q.get("name")}, suffixes, f"({count})"


def _aggregates(text: str, summaries: list[Summary]) -> str:
    for name, inner, suffixes, count in summaries:
        text = re.sub(rf"count\(\s*\$\{{{re.escape(name)}\}}\s*\)", count, text)
        text = re.sub(
            r"sum\(\s*\$\{([^}]*)\}\s*\)",
            lambda match, inner=inner, suffixes=suffixes: _total(match, inner, suffixes),
            text,
        )
    return text


def _total(match: re.Match, inner: set[str], suffixes: list[str]) -> str:
    """``sum(${age})`` over the instances (an unanswered one counts 0)."""
    question = match.group(1)
    if question not in inner:
        return match.group(0)
    parts = [f"number(coalesce(${{{question}_{suffix}}}, 0))" for suffix in suffixes]
    return "(" + " + ".join(parts) + ")"


def _instances(repeat: dict, choices, error, where) -> list[tuple[str, int, dict | None]] | None:
    """(suffix, number, loop choice) per instance, or None after an error."""
    loop = repeat.get("loop_list")
    if loop:
        if loop not in choices:
            error(f"{where}: no choice list '{loop}' to loop over", repeat.get("name"))
            return None
        return [(item["name"], n, item) for n, item in enumerate(choices[loop], start=1)]
    count = repeat.get("repeat_count")
    if isinstance(count, int | float) or (isinstance(count, str) and count.strip().isdigit()):
        number = int(float(count))
        if not 1 <= number <= MAX_FIXED:
            error(f"{where}: repeat_count must be 1 to {MAX_FIXED}", repeat.get("name"))
            return None
        return [(str(n), n, None) for n in range(1, number + 1)]
    return [(str(n), n, None) for n in range(1, MAX_INSTANCES + 1)]


def _unroll_one(repeat, body, choices, languages, translate, note, error, where) -> list[dict]:
    name = repeat.get("name") or "repeat"
    instances = _instances(repeat, choices, error, where)
    if instances is None:
        return []
    count = repeat.get("repeat_count")
    dynamic = isinstance(count, str) and count.strip() and not count.strip().isdigit()
    asks_more = not repeat.get("loop_list") and count in (None, "")
    inner = {q["name"] for q in body if q.get("name")}
    if any(q.get("risk") for q in body):
        note(f"{where}: risk columns inside the repeat '{name}' are dropped (one response "
             "would count several times for an indicator)")  # fmt: skip
    if dynamic:
        note(f"{where}: the repeat '{name}' is asked up to {MAX_INSTANCES} times, "
             f"as many as '{count}' says")  # fmt: skip
    elif asks_more:
        note(f"{where}: the repeat '{name}' asks 'Add another?' after each instance, up to "
             f"{MAX_INSTANCES} instances")  # fmt: skip
        choices.setdefault(
            MORE_LIST,
            [
                {
                    "name": "yes",
                    "label": {code: translate(YES_ANOTHER, code) for code in languages},
                },
                {"name": "no", "label": {code: translate(NO_MORE, code) for code in languages}},
            ],
        )
    # One screen per instance, unless a question's skip logic hangs on an answer of the same
    # instance: without JavaScript a screen cannot change as it is filled in, so those are
    # asked one per screen.
    chained = any(
        re.search(r"\$\{(" + "|".join(map(re.escape, inner)) + r")\}", q.get(field) or "")
        for q in body
        for field in ("relevant", "choice_filter")
        if inner
    )
    made: list[dict] = []
    for suffix, number, item in instances:
        conditions = [f"({repeat['relevant']})"] if repeat.get("relevant") else []
        if dynamic:
            conditions.append(f"({count}) >= {number}")
        if asks_more and number > 1:
            conditions.append(f"${{{name}_more_{number - 1}}} = 'yes'")
        group_name = f"{name}_{suffix}"
        if len(group_name) > 64 or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", group_name):
            error(f"{where}: the instance name '{group_name}' is not a valid name", name)
            return []
        label = repeat.get("label") or dict.fromkeys(languages, name)
        group = {
            "type": "begin group",
            "_instance": suffix,
            "name": group_name,
            "label": {
                code: f"{text}: {item['label'].get(code, item['name'])}"
                if item
                else f"{text} {number}"
                for code, text in label.items()
            },
            "appearance": repeat.get("appearance") or ("" if chained else "field-list"),
        }
        if not group["appearance"]:
            del group["appearance"]
        if conditions:
            group["relevant"] = " and ".join(conditions)
        made.append(group)
        for question in body:
            made.append(_instance_question(question, inner, suffix, number, item))
        if asks_more and number < len(instances):
            made.append(
                {
                    "type": f"select_one {MORE_LIST}",
                    "name": f"{name}_more_{number}",
                    "label": {code: translate(ADD_ANOTHER, code) for code in languages},
                }
            )
        made.append({"type": "end group"})
    return made


def _texts(message: str, languages: list[str], translate) -> dict[str, str]:
    return {code: translate(message, code) for code in languages}


def _instance_question(question: dict, inner: set[str], suffix: str, number: int, item):
    copy = {key: value for key, value in question.items() if key != "risk"}
    if copy.get("name"):
        copy["name"] = f"{copy['name']}_{suffix}"
    for field in EXPRESSIONS:
        if isinstance(copy.get(field), str):
            copy[field] = _rewrite(copy[field], inner, suffix, number)
    for field in ("label", "hint", "constraint_message", "required_message"):
        if isinstance(copy.get(field), dict):
            copy[field] = {
                code: _rewrite(text, inner, suffix, number) for code, text in copy[field].items()
            }
    if item is not None:
        for field in ("label", "hint"):
            if isinstance(copy.get(field), dict):
                copy[field] = {
                    code: text.replace("%(label)s", item["label"].get(code, item["name"])).replace(
                        "%(name)s", item["name"]
                    )
                    for code, text in copy[field].items()
                }
    return copy


def _rewrite(text: str, inner: set[str], suffix: str, number: int) -> str:
    """``${sibling}`` → ``${sibling_<suffix>}``; ``position(..)`` → the instance number."""
    text = re.sub(r"position\(\s*\.\.\s*\)", str(number), text)
    return re.sub(
        r"\$\{([^}]*)\}",
        lambda m: f"${{{m.group(1)}_{suffix}}}" if m.group(1) in inner else m.group(0),
        text,
    )
