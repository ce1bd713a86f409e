"""Tests for the survey expression language.

The tables pin down XPath 1.0 / ODK behaviour that survey authors rely on (coercions, empty
answers, select_multiple, dates, regex, error positions). The Hypothesis tests check that no
input crashes the parser or evaluator and that the evaluator agrees with an independent
reference implementation written directly over randomly generated expression trees.
"""

from __future__ import annotations

import math
import pickle
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.surveys.expressions import (
    Expression,
    ExpressionError,
    check,
    evaluate_bool,
    parse,
)

TODAY = date(2024, 3, 15)
NAN = math.nan
INF = math.inf

VALUES: dict[str, object] = {
    "age": 30,
    "zero": 0,
    "half": 2.5,
    "neg": -4,
    "empty": "",
    "none": None,
    "text": "hello",
    "numtext": "12",
    "multi": "a b c",
    "multi_list": ["a", "b"],
    "multi_tuple": ("x",),
    "dob": date(2000, 1, 31),
    "later": date(2024, 12, 1),
    "yes": True,
    "no": False,
}


def same(actual: object, expected: object) -> bool:
    """Equality that treats NaN as equal to NaN and keeps bools apart from numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9)
    return type(actual) is type(expected) and actual == expected


EVALUATION_CASES: list[tuple[str, object]] = [
    # literals
    ("3", 3),
    ("2.5", 2.5),
    (".5", 0.5),
    ("-1", -1),
    ("'yes'", "yes"),
    ('"no"', "no"),
    ("''", ""),
    # arithmetic and precedence
    ("1 + 2", 3),
    ("5 - 7", -2),
    ("3 * 4", 12),
    ("7 div 2", 3.5),
    ("7 mod 3", 1),
    ("-7 mod 3", -1),
    ("7 mod -3", 1),
    ("5.5 mod 2", 1.5),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("8 div 4 div 2", 1),
    ("2 * 3 mod 4", 2),
    ("-2 * -3", 6),
    ("- - 2", 2),
    ("-(1 + 2)", -3),
    ("1 - -1", 2),
    ("1 div 0", INF),
    ("-1 div 0", -INF),
    ("0 div 0", NAN),
    ("1 div -0", -INF),
    ("1 mod 0", NAN),
    ("5 mod (1 div 0)", 5),
    # comparison and logic precedence
    ("1 < 2 = 2 < 3", True),
    ("1 = 1 and 2 = 3 or 4 = 4", True),
    ("1 = 1 and (2 = 3 or 4 = 5)", False),
    ("1 + 1 = 2", True),
    ("1 or 0 and 0", True),
    ("(1 or 0) and 0", False),
    ("3 > 2 > 1", False),  # (3 > 2) > 1 -> true > 1 -> 1 > 1
    ("1 = 1 = 1", True),
    # comparisons with coercion
    ("${age} = 30", True),
    ("${age} = '30'", True),
    ("${numtext} = 12", True),
    ("${numtext} > 11.5", True),
    ("${numtext} = '12.0'", False),  # two strings compare as strings
    ("${text} = 'hello'", True),
    ("${text} != 'hello'", False),
    ("${text} = 0", False),
    ("${text} != 0", True),
    ("${yes} = 1", True),
    ("${no} = 0", True),
    ("${yes} = 'false'", True),  # boolean('false') is true: non-empty string
    ("${no} = ''", True),
    ("true() = 'x'", True),
    ("${age} >= 18 and ${age} < 65", True),
    ("'10' < '9'", False),  # relational ops compare numerically
    ("'b' > 'a'", False),  # NaN
    ("'abc' = 'abc'", True),
    ("'abc' != 'ABC'", True),
    # empty answers
    ("${empty} = ''", True),
    ("${empty} != ''", False),
    ("${none} = ''", True),
    ("${missing} = ''", True),
    ("${empty} = 0", False),
    ("${empty} != 0", True),
    ("${empty} < 1", False),
    ("${empty} >= 1", False),
    ("${empty} + 1", NAN),
    ("-${empty}", NAN),
    ("${empty} * 0", NAN),
    ("number(${empty})", NAN),
    ("number('  7 ')", 7),
    ("number('1e3')", NAN),
    ("number('inf')", NAN),
    ("number('+1')", NAN),
    ("number(true())", 1),
    ("${half} * 2", 5),
    ("${neg} + ${zero}", -4),
    # boolean()
    ("not(${empty})", True),
    ("not(0)", True),
    ("not(0 div 0)", True),
    ("not('0')", False),
    ("not(${text})", False),
    ("not(${dob})", False),
    ("not(not(2))", True),
    ("true()", True),
    ("false()", False),
    ("true() and false()", False),
    ("false() or ${text}", True),
    # select_multiple, as string and list
    ("selected(${multi}, 'b')", True),
    ("selected(${multi}, 'd')", False),
    ("selected(${multi}, ' c ')", True),
    ("selected(${multi_list}, 'b')", True),
    ("selected(${multi_list}, 'a b')", False),
    ("selected(${multi_tuple}, 'x')", True),
    ("selected(${empty}, 'a')", False),
    ("count-selected(${multi})", 3),
    ("count-selected(${multi_list})", 2),
    ("count-selected(${empty})", 0),
    ("count-selected('  a   b ')", 2),
    # strings
    ("string-length('héllo')", 5),
    ("string-length(${empty})", 0),
    ("string-length(${age})", 2),
    ("string(1.5)", "1.5"),
    ("string(3)", "3"),
    ("string(-0)", "0"),
    ("string(0.1 * 3)", "0.30000000000000004"),
    ("string(0.0000001)", "0.0000001"),
    ("string(1 div 0)", "Infinity"),
    ("string(-1 div 0)", "-Infinity"),
    ("string(0 div 0)", "NaN"),
    ("string(true())", "true"),
    ("string(${dob})", "2000-01-31"),
    ("string(${multi_list})", "a b"),
    ("concat('a', 1, true(), ${empty}, ${half})", "a1true2.5"),
    ("concat('only')", "only"),
    # int()
    ("int(3.7)", 3),
    ("int(-3.7)", -3),
    ("int('12')", 12),
    ("int(${empty})", NAN),
    ("int(1 div 0)", INF),
    # if() and coalesce()
    ("if(${age} > 18, 'adult', 'minor')", "adult"),
    ("if(${empty}, 1, 2)", 2),
    ("if(1, 1, 1 div 0)", 1),
    ("coalesce(${empty}, 'fallback')", "fallback"),
    ("coalesce(${age}, 'fallback')", 30),
    ("coalesce(${zero}, 5)", 0),
    ("coalesce(${none}, ${missing})", ""),
    # dates and today()
    ("today()", TODAY),
    ("today() > ${dob}", True),
    ("${dob} < '2001-01-01'", True),
    ("${dob} >= '2000-01-31'", True),
    ("${dob} = '2000-01-31'", True),
    ("${dob} != '2000-01-31'", False),
    ("${later} > today()", True),
    ("'2020-01-01' < '2020-06-01'", True),
    ("today() - ${dob}", (TODAY - date(2000, 1, 31)).days),
    ("int((today() - ${dob}) div 365.25)", 24),
    ("number(date('1970-01-11'))", 10),
    ("date('2024-02-30')", ""),
    ("date(${dob})", date(2000, 1, 31)),
    ("date(1)", date(1970, 1, 2)),
    ("${dob} < 'soon'", False),
    # regex
    ("regex('12345', '[0-9]+')", True),
    ("regex('12a45', '^[0-9]+$')", False),
    ("regex('a12345', '[0-9]+')", True),  # a search, as JavaRosa and Enketo do
    ("regex('12345', '^[0-9]{5}$')", True),
    ("regex(${empty}, '[0-9]*')", True),
    ("regex(${age}, '3.')", True),
    ("regex('x', concat('[', 'x'))", False),  # invalid pattern at runtime: false
    ("regex('aaaa', '" + "a?" * 101 + "')", False),  # pattern over 200 characters
]


@pytest.mark.parametrize(("text", "expected"), EVALUATION_CASES)
def test_evaluate(text: str, expected: object) -> None:
    result = parse(text).evaluate(VALUES, today=TODAY)
    assert same(result, expected), f"{text!r} gave {result!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        (". > 0", 5, True),
        (". > 0", "", False),
        (". != ''", "", False),
        ("string-length(.) <= 3", "abcd", False),
        ("regex(., '[A-Z]{2}[0-9]{4}')", "AB1234", True),
        ("regex(., '^[A-Z]{2}[0-9]{4}$')", "AB12345", False),
        (". <= today()", date(2030, 1, 1), False),
        (". <= today()", date(2020, 1, 1), True),
        ("selected(., 'b')", ["a", "b"], True),
        ("not(selected(., 'none') and count-selected(.) > 1)", "none other", False),
    ],
)
def test_current_value(text: str, current: object, expected: bool) -> None:
    assert evaluate_bool(text, VALUES, current=current, today=TODAY) is expected


def test_regex_input_too_long_is_false() -> None:
    long_input = "a" * 10_001
    assert evaluate_bool("regex(., 'a*')", {}, current=long_input) is False
    assert evaluate_bool("regex(., 'a*')", {}, current=long_input[:-1]) is True


def test_today_defaults_to_the_real_date() -> None:
    assert parse("today()").evaluate({}) == date.today()


def test_values_of_other_types() -> None:
    assert parse("${big} > 1").evaluate({"big": 10**400}) is True
    assert parse("${when} > '2020-01-01'").evaluate({"when": datetime(2021, 5, 1, 12)}) is True
    assert parse("${x} + 1").evaluate({"x": set()}) != parse("${x} + 1").evaluate({"x": set()})


def test_evaluate_bool_accepts_parsed_expressions_and_coerces() -> None:
    expression = parse("${age} + 1")
    assert evaluate_bool(expression, {"age": 1}) is True
    assert evaluate_bool(expression, {"age": -1}) is False
    assert evaluate_bool("${empty}", {"empty": ""}) is False
    assert evaluate_bool("0 div 0", {}) is False


def test_expression_introspection() -> None:
    expression = parse("if(selected(${a}, 'x'), ${b} + 1, string-length(.))")
    assert isinstance(expression, Expression)
    assert expression.text == "if(selected(${a}, 'x'), ${b} + 1, string-length(.))"
    assert expression.names() == {"a", "b"}
    assert expression.functions() == {"if", "selected", "string-length"}
    assert expression.uses_current()
    assert not parse("${a.b-c_d} = 1").uses_current()
    assert parse("${a.b-c_d} = 1").names() == {"a.b-c_d"}
    expression.names().add("mutated")  # callers get copies, the cached object stays intact
    assert parse(expression.text).names() == {"a", "b"}


def test_parse_is_cached() -> None:
    assert parse("${a} = 1") is parse("${a} = 1")


def test_error_format_and_pickling() -> None:
    error = ExpressionError("unknown function 'x'", 4)
    assert str(error) == "unknown function 'x' at position 5"
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.message, copy.position) == (error.message, error.position)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("1 +", "expression ends where a value was expected", 3),
        ("1 +   ", "expression ends where a value was expected", 3),
        ("", "expression is empty", 0),
        ("   ", "expression is empty", 0),
        ("(1 + 2", "missing ')'", 6),
        ("1 2", "expected an operator before number 2", 2),
        ("${a} = yes", "'yes' is not a value; put text in quotes: 'yes'", 7),
        ("true", "'true' needs parentheses: write true()", 0),
        ("'open", "unterminated text: missing closing quote", 0),
        ("1 / 2", "unexpected '/'; use 'div' to divide", 2),
        ("5 % 2", "unexpected '%'; use 'mod' for the remainder", 2),
        ("${a} == 1", "unexpected '='; use a single '=' to compare", 6),
        ("${ a } = 1", "malformed reference; write ${name}", 0),
        ("${a} AND ${b}", "unexpected 'AND'; operators are lower case", 5),
        ("1 order 2", "expected an operator before 'order'", 2),
        ("f(1,)", "expected a value before ')'", 4),
        ("1 # 2", "unexpected character '#'", 2),
    ],
)
def test_syntax_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert (caught.value.message, caught.value.position) == (message, position)
    assert [(e.message, e.position) for e in check(text, {"a", "b"})] == [(message, position)]


def test_too_long_and_too_deep() -> None:
    with pytest.raises(ExpressionError, match="too long"):
        parse("1" * 5001)
    for deep in ("-" * 150 + "1", "1" + " + 1" * 150, "not(" * 150 + "1" + ")" * 150):
        with pytest.raises(ExpressionError, match="nested too deeply"):
            parse(deep)
    assert parse("(" * 150 + "1" + ")" * 150).evaluate({}) == 1  # parentheses add no depth
    # a long flat list of alternatives is not "deep"
    assert evaluate_bool(" or ".join(["${a} = 1"] * 400), {"a": 1})


ONLY_NUMBERS_AND_DATES = "only numbers and dates (YYYY-MM-DD) can"


def errors(text: str, known: set[str] | None = None, **kwargs: Any) -> list[tuple[str, int]]:
    found = check(text, {"a", "b", "m"} if known is None else known, **kwargs)
    assert all(isinstance(error, ExpressionError) for error in found)
    return [(error.message, error.position) for error in found]


def test_check_unknown_function_at_its_position() -> None:
    text = "${a} = selectd(${b}, 'x')"
    assert errors(text) == [("unknown function 'selectd'", text.index("selectd"))]
    assert str(check(text, {"a", "b"})[0]) == "unknown function 'selectd' at position 8"


def test_check_unknown_name_at_its_position() -> None:
    text = "${a} > 1 and ${zz} = 2"
    assert errors(text) == [("unknown question 'zz'", text.index("${zz}"))]


def test_check_current_refused_when_not_allowed() -> None:
    assert errors(". > 1") == []
    assert errors(". > ${a} and string-length(.) < 3", allow_current=False) == [
        ("'.' (this question's own answer) is not allowed here", 0),
        ("'.' (this question's own answer) is not allowed here", 27),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not(1, 2)", [("not() takes exactly 1 argument, got 2", 0)]),
        ("today(1)", [("today() takes exactly 0 arguments, got 1", 0)]),
        ("1 + if(1, 2)", [("if() takes exactly 3 arguments, got 2", 4)]),
        ("concat()", [("concat() takes at least 1 argument, got 0", 0)]),
        ("regex(., '[a-')", [("invalid regular expression: unterminated character set", 10)]),
        (
            "regex(., '(a')",
            [("invalid regular expression: missing ), unterminated subpattern", 10)],
        ),
        ("regex(., '" + "a" * 201 + "')", [("regex pattern is longer than 200 characters", 9)]),
        ("regex(., concat('[', 'a'))", []),  # not a literal: only known at runtime
        ("${a} + 'x'", [("text 'x' cannot be used with '+'; only numbers can", 7)]),
        ("-'x'", [("text 'x' cannot be used with '-'; only numbers can", 1)]),
        ("'3' * 2", []),
        (
            "'2020-01-01' div 2",
            [("text '2020-01-01' cannot be used with 'div'; only numbers can", 0)],
        ),
        (
            "${a} < 'high'",
            [
                (
                    f"text 'high' cannot be compared with '<'; {ONLY_NUMBERS_AND_DATES}",
                    7,
                )
            ],
        ),
        (". >= '2020-01-01' and . <= today()", []),
        ("${a} = 'high'", []),
        (
            "${zz} + 'x' = selectd(.)",
            [
                ("unknown question 'zz'", 0),
                ("text 'x' cannot be used with '+'; only numbers can", 8),
                ("unknown function 'selectd'", 14),
            ],
        ),
    ],
)
def test_check_static_errors(text: str, expected: list[tuple[str, int]]) -> None:
    assert errors(text) == expected


def test_check_accepts_collections_of_names() -> None:
    assert check("${a} = 1", ["a"]) == []
    assert check("${a} = 1", frozenset({"a"})) == []
    assert check("${a} = 1", {"a": "anything"}) == []


def test_unknown_function_and_bad_arity_do_not_raise_at_runtime() -> None:
    assert parse("selectd(${a}, 'x')").evaluate({"a": "x"}) == ""
    assert parse("not(1, 2)").evaluate({}) == ""


# --------------------------------------------------------------------------------------------
# Hypothesis: robustness
# --------------------------------------------------------------------------------------------

TOKENS = [
    "${a}",
    "${b}",
    "${",
    "}",
    "$",
    ".",
    "..",
    "0",
    "1",
    "2.5",
    "-",
    "'x'",
    '"y"',
    "'",
    '"',
    "(",
    ")",
    ",",
    "+",
    "*",
    "div",
    "mod",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not(",
    "selected(",
    "count-selected(",
    "string-length(",
    "regex(",
    "if(",
    "coalesce(",
    "today()",
    "true()",
    "false()",
    "int(",
    "number(",
    "string(",
    "concat(",
    "date(",
    "foo",
    "/",
    "AND",
    "'[a-'",
    "'2020-01-01'",
]

token_text = st.lists(st.sampled_from(TOKENS), max_size=25).flatmap(
    lambda parts: st.lists(
        st.sampled_from(["", " "]), min_size=len(parts), max_size=len(parts)
    ).map(lambda gaps: "".join(gap + part for gap, part in zip(gaps, parts, strict=True)))
)

any_answer = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.sampled_from(["", "a b", "2020-01-01", " 3 ", "x"]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.sampled_from(["a", "b", "x"]), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(), token_text),
    a=any_answer,
    b=any_answer,
    current=any_answer,
    allow_current=st.booleans(),
)
def test_arbitrary_text_never_crashes(
    text: str, a: object, b: object, current: object, allow_current: bool
) -> None:
    found = check(text, {"a"}, allow_current=allow_current)
    assert isinstance(found, list)
    for error in found:
        assert isinstance(error, ExpressionError)
        assert 0 <= error.position <= len(text)
    try:
        expression = parse(text)
    except ExpressionError as error:
        assert 0 <= error.position <= len(text)
        assert found and found[0].message == error.message
        return
    values = {"a": a, "b": b}
    expression.evaluate(values, current=current, today=TODAY)  # must not raise at all
    assert isinstance(evaluate_bool(expression, values, current=current), bool)


# --------------------------------------------------------------------------------------------
# Hypothesis: agreement with a reference evaluator over generated trees
# --------------------------------------------------------------------------------------------

# A tree is a tuple: ("num", float) | ("name", str) | ("neg", t) | ("bin", op, t, t)
# | ("not", t) | ("if", t, t, t) | ("coalesce", t, t).
Tree = tuple[Any, ...]
NAMES = ["a", "b", "c"]
BINARY_OPS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
UNARY_PRECEDENCE = 7
ATOM_PRECEDENCE = 8

numbers = st.one_of(
    st.just(0.0),
    st.integers(-100, 100).map(float),
    st.integers(-400, 400).map(lambda k: k / 4),
)
trees: st.SearchStrategy[Tree] = st.recursive(
    st.one_of(
        numbers.map(lambda value: ("num", value)),
        st.sampled_from(NAMES).map(lambda name: ("name", name)),
    ),
    lambda children: st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(BINARY_OPS), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("not"), children),
        st.tuples(st.just("if"), children, children, children),
        st.tuples(st.just("coalesce"), children, children),
    ),
    max_leaves=12,
)
bindings = st.fixed_dictionaries(
    {name: st.one_of(st.just(""), st.integers(-20, 20), numbers) for name in NAMES}
)


def precedence(tree: Tree) -> int:
    if tree[0] == "bin":
        return PRECEDENCE[tree[1]]
    if tree[0] == "neg" or (tree[0] == "num" and tree[1] < 0):
        return UNARY_PRECEDENCE
    return ATOM_PRECEDENCE


def render(tree: Tree) -> str:
    """Text with only the parentheses that precedence and left associativity require."""

    def wrapped(child: Tree, needs: bool) -> str:
        return f"({render(child)})" if needs else render(child)

    kind = tree[0]
    if kind == "num":
        value: float = tree[1]
        text = str(int(abs(value))) if value.is_integer() else repr(abs(value))
        return f"-{text}" if value < 0 else text
    if kind == "name":
        return "${" + tree[1] + "}"
    if kind == "neg":
        return "-" + wrapped(tree[1], precedence(tree[1]) < UNARY_PRECEDENCE)
    if kind == "bin":
        level = PRECEDENCE[tree[1]]
        left = wrapped(tree[2], precedence(tree[2]) < level)
        right = wrapped(tree[3], precedence(tree[3]) <= level)
        return f"{left} {tree[1]} {right}"
    return f"{kind}({', '.join(render(child) for child in tree[1:])})"


def ref_number(value: object) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return NAN  # the only strings in these trees are empty answers
    assert isinstance(value, float)
    return value


def ref_truth(value: object) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, bool):
        return value
    assert isinstance(value, float)
    return value == value and value != 0


def ref_eval(tree: Tree, values: dict[str, object]) -> object:
    """XPath 1.0 written out longhand over the tree, independent of the module under test."""
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "name":
        raw = values[tree[1]]
        return "" if raw == "" else float(raw)  # type: ignore[arg-type]
    if kind == "neg":
        return -ref_number(ref_eval(tree[1], values))
    if kind == "not":
        return not ref_truth(ref_eval(tree[1], values))
    if kind == "if":
        return ref_eval(tree[2] if ref_truth(ref_eval(tree[1], values)) else tree[3], values)
    if kind == "coalesce":
        first = ref_eval(tree[1], values)
        return ref_eval(tree[2], values) if first == "" and isinstance(first, str) else first
    op, left, right = tree[1], ref_eval(tree[2], values), ref_eval(tree[3], values)
    if op == "or":
        return ref_truth(left) or ref_truth(right)
    if op == "and":
        return ref_truth(left) and ref_truth(right)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = ref_truth(left) == ref_truth(right)
        elif isinstance(left, str) and isinstance(right, str):
            equal = left == right
        else:
            x, y = ref_number(left), ref_number(right)
            if x != x or y != y:
                return op == "!="
            equal = x == y
        return equal if op == "=" else not equal
    x, y = ref_number(left), ref_number(right)
    if op in ("<", "<=", ">", ">="):
        if x != x or y != y:
            return False
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x != x or x == 0:
                return NAN
            positive = (x > 0) == (math.copysign(1.0, y) > 0)
            return INF if positive else -INF
        return x / y
    # mod
    if x != x or y != y or y == 0 or math.isinf(x):
        return NAN
    return x if math.isinf(y) else math.fmod(x, y)


@settings(max_examples=300, deadline=None)
@given(tree=trees, values=bindings)
def test_evaluator_agrees_with_reference(tree: Tree, values: dict[str, object]) -> None:
    text = render(tree)
    expected = ref_eval(tree, values)
    actual = parse(text).evaluate(values, today=TODAY)
    assert same(actual, expected), f"{text!r} with {values!r}: {actual!r} != {expected!r}"
    assert check(text, set(NAMES)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("round(2.5)", 3),
        ("round(-2.5)", -3),  # half away from zero, as ODK
        ("round(3.14159, 2)", 3.14),
        ("floor(2.7) + ceiling(2.1)", 5),
        ("abs(-3) = 3", True),
        ("pow(2, 10)", 1024),
        ("string(sqrt(-1))", "NaN"),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("contains('abc', 'b') and starts-with('abc', 'a') and ends-with('abc', 'c')", True),
        ("substr('hello', 1, 3)", "el"),
        ("substring-before('a-b', '-') = 'a' and substring-after('a-b', '-') = 'b'", True),
        ("normalize-space('  a   b ')", "a b"),
        ("translate('abc', 'ab', 'A')", "Ac"),
        ("selected-at('x y z', 1)", "y"),
        ("format-date('2024-05-01', '%d %b %Y (%a)')", "01 May 2024 (Wed)"),
        ("boolean-from-string('true') and boolean(1)", True),
        ("once(3)", 3),
    ],
)
def test_the_odk_function_library(text, expected):
    assert check(text, set(), allow_current=False) == []
    result = parse(text).evaluate({}, today=date(2026, 1, 5))
    assert result == expected
