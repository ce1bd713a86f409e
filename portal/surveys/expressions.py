"""The survey expression language: the XLSForm / XPath 1.0 subset used in `relevant`,
`constraint`, `required`, `calculate` and `choice_filter`.

Skip logic and validation run on the server (workers may have JavaScript off), so the
expressions of a survey definition are parsed here into a small AST and walked by our own
evaluator. Nothing is ever handed to Python's own code execution: the grammar is a Lark LALR
grammar and the only operations are the ones written out below.

Three entry points matter to callers:

* `parse(text)` turns text into an `Expression` (cached: the same expressions are evaluated on
  every request) or raises `ExpressionError` with the 0-based character position.
* `check(text, known_names)` is what survey import/validation calls: it returns every problem
  it can find statically (syntax, unknown functions and names, argument counts, bad regexes,
  obvious type errors), each with its position, so an author can fix them all at once.
* `Expression.evaluate(...)` / `evaluate_bool(...)` compute a value with XPath 1.0 coercions.
  Runtime problems never raise: like XPath they turn into NaN, "" or false, because a survey
  screen must not crash on a worker's odd answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from numbers import Real

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput

from portal.surveys.expression_library import LIBRARY

__all__ = [
    "FUNCTIONS",
    "Expression",
    "ExpressionError",
    "check",
    "evaluate_bool",
    "parse",
]

#: Longest expression we accept. Real survey expressions are a few hundred characters; the cap
#: bounds parse time and memory for anything pasted in by mistake.
MAX_EXPRESSION_LENGTH = 5000
#: Deepest nesting we accept. The evaluator is recursive; `and`/`or` chains are flattened so
#: long lists of conditions do not count against this.
MAX_DEPTH = 100
#: Regex limits: Python's `re` backtracks, so both the pattern and the input are capped.
MAX_REGEX_PATTERN = 200
MAX_REGEX_INPUT = 10_000

#: Function name -> (minimum, maximum) argument count; maximum None means "any number".
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "not": (1, 1),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "if": (3, 3),
    "coalesce": (2, 2),
    "today": (0, 0),
    "true": (0, 0),
    "false": (0, 0),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "concat": (1, None),
    "date": (1, 1),
}
FUNCTIONS.update((name, (item.minimum, item.maximum)) for name, item in LIBRARY.items())


class ExpressionError(ValueError):
    """A problem in an expression, located so that an author can find it.

    `position` is 0-based (for code and for highlighting); `str()` shows it 1-based because
    that is how people count characters.
    """

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        located = f"{message} at position {position + 1}"
        super().__init__(located)

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, int]]:
        # Keep the exception picklable (it is raised from cached code and may cross processes).
        return (type(self), (self.message, self.position))


# --------------------------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------------------------

# Precedence follows XPath 1.0, lowest first. Keywords are regexes with a negative lookahead so
# that `1 order` is an error rather than `1 or der`. Function names may contain hyphens
# (`count-selected`); a bare word that is not followed by "(" is parsed as `bare` only so that
# we can explain the usual mistake (unquoted text) instead of reporting a generic syntax error.
_GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr (OR and_expr)*
?and_expr: eq_expr (AND eq_expr)*
?eq_expr: rel_expr ((EQ | NE) rel_expr)*
?rel_expr: add_expr ((LE | LT | GE | GT) add_expr)*
?add_expr: mul_expr ((PLUS | MINUS) mul_expr)*
?mul_expr: unary_expr ((STAR | DIV | MOD) unary_expr)*
?unary_expr: primary
           | MINUS unary_expr -> negate

?primary: NUMBER -> number
        | STRING -> string
        | REF -> ref
        | DOT -> current
        | FNAME LPAR [arguments] RPAR -> call
        | FNAME -> bare
        | LPAR or_expr RPAR -> group

arguments: or_expr (COMMA or_expr)*

OR: /or(?![\w-])/
AND: /and(?![\w-])/
DIV: /div(?![\w-])/
MOD: /mod(?![\w-])/
EQ: "="
NE: "!="
LE: "<="
LT: "<"
GE: ">="
GT: ">"
PLUS: "+"
MINUS: "-"
STAR: "*"
LPAR: "("
RPAR: ")"
COMMA: ","
NUMBER: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
DOT: "."
STRING: /'[^']*'|"[^"]*"/
REF: /\$\{[^\W\d][\w.-]*\}/
FNAME: /[^\W\d][\w-]*/

%ignore /\s+/
"""

# --------------------------------------------------------------------------------------------
# AST
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A number (always a float, as in XPath) or a string literal."""

    pos: int
    depth: int
    value: float | str


@dataclass(frozen=True, slots=True)
class Ref:
    """`${name}`: another question's answer."""

    pos: int
    depth: int
    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """`.`: the answer of the question the expression belongs to (constraints)."""

    pos: int
    depth: int


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    pos: int
    depth: int
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """A comparison or arithmetic operator; `pos` is the operator's position."""

    pos: int
    depth: int
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logical:
    """An `and`/`or` chain, flattened so a long list of conditions is not deep nesting."""

    pos: int
    depth: int
    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; `pos` is the position of the function name."""

    pos: int
    depth: int
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Bare:
    """A bare word such as `yes`: never valid, kept only to explain the error."""

    pos: int
    depth: int
    word: str


Node = Literal | Ref | Current | Negate | Binary | Logical | Call | Bare

_ARITHMETIC = frozenset({"+", "-", "*", "div", "mod"})
_RELATIONAL = frozenset({"<", "<=", ">", ">="})


def _depth_checked(depth: int, pos: int) -> int:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression is nested too deeply (over {MAX_DEPTH} levels)", pos)
    return depth


class _Builder:
    """Lark callbacks, run during LALR reductions (no recursion over a parse tree)."""

    def number(self, children: list[Token]) -> Literal:
        (token,) = children
        return Literal(token.start_pos, 1, float(token))

    def string(self, children: list[Token]) -> Literal:
        (token,) = children
        return Literal(token.start_pos, 1, str(token)[1:-1])

    def ref(self, children: list[Token]) -> Ref:
        (token,) = children
        return Ref(token.start_pos, 1, str(token)[2:-1])

    def current(self, children: list[Token]) -> Current:
        (token,) = children
        return Current(token.start_pos, 1)

    def bare(self, children: list[Token]) -> Bare:
        (token,) = children
        return Bare(token.start_pos, 1, str(token))

    def group(self, children: list[object]) -> Node:
        return children[1]  # type: ignore[return-value]

    def negate(self, children: list[object]) -> Negate:
        token, operand = children
        assert isinstance(token, Token)
        depth = _depth_checked(operand.depth + 1, token.start_pos)  # type: ignore[union-attr]
        return Negate(token.start_pos, depth, operand)  # type: ignore[arg-type]

    def arguments(self, children: list[object]) -> tuple[Node, ...]:
        return tuple(child for child in children if not isinstance(child, Token))  # type: ignore[misc]

    def call(self, children: list[object]) -> Call:
        name, _lpar, args, _rpar = children
        assert isinstance(name, Token)
        args_tuple: tuple[Node, ...] = args or ()  # type: ignore[assignment]
        depth = 1 + max((arg.depth for arg in args_tuple), default=0)
        return Call(name.start_pos, _depth_checked(depth, name.start_pos), str(name), args_tuple)

    def _fold(self, children: list[object]) -> Node:
        """Left-associative fold of `operand (OP operand)*`."""
        node: Node = children[0]  # type: ignore[assignment]
        for index in range(1, len(children), 2):
            token = children[index]
            right: Node = children[index + 1]  # type: ignore[assignment]
            assert isinstance(token, Token)
            depth = _depth_checked(max(node.depth, right.depth) + 1, token.start_pos)
            node = Binary(token.start_pos, depth, str(token), node, right)
        return node

    eq_expr = rel_expr = add_expr = mul_expr = _fold

    def _chain(self, children: list[object]) -> Logical:
        operands: tuple[Node, ...] = tuple(children[0::2])  # type: ignore[arg-type]
        token = children[1]
        assert isinstance(token, Token)
        depth = _depth_checked(1 + max(op.depth for op in operands), token.start_pos)
        return Logical(token.start_pos, depth, str(token), operands)

    or_expr = and_expr = _chain


_PARSER = Lark(
    _GRAMMAR,
    parser="lalr",
    lexer="contextual",
    propagate_positions=True,
    maybe_placeholders=True,
    transformer=_Builder(),
)

# --------------------------------------------------------------------------------------------
# Syntax errors in plain English
# --------------------------------------------------------------------------------------------

# Tokens that can only start an operand (MINUS is also binary, so it tells us nothing).
_OPERAND_STARTS = frozenset({"NUMBER", "STRING", "REF", "DOT", "FNAME", "LPAR"})
_CHARACTER_HINTS = {
    "/": "unexpected '/'; use 'div' to divide",
    "%": "unexpected '%'; use 'mod' for the remainder",
    "&": "unexpected '&'; use 'and'",
    "|": "unexpected '|'; use 'or'",
    "!": "unexpected '!'; use not(...) or '!='",
    "$": "malformed reference; write ${name}",
    "'": "unterminated text: missing closing quote",
    '"': "unterminated text: missing closing quote",
}


def _describe(token: Token) -> str:
    if token.type == "NUMBER":
        return f"number {token}"
    if token.type == "STRING":
        return f"text {token}"
    return f"'{token}'"


def _syntax_error(text: str, error: UnexpectedInput) -> ExpressionError:
    """Turn a Lark error into one plain-English message with a position."""
    if isinstance(error, UnexpectedCharacters):
        char = error.char
        message = _CHARACTER_HINTS.get(char, f"unexpected character {char!r}")
        return ExpressionError(message, error.pos_in_stream)
    expected = set(getattr(error, "expected", ()) or ())
    token = getattr(error, "token", None)
    wants_value = bool(expected & _OPERAND_STARTS)
    if not isinstance(token, Token) or token.type == "$END":
        position = len(text.rstrip())
        if wants_value:
            return ExpressionError("expression ends where a value was expected", position)
        if "RPAR" in expected:
            return ExpressionError("missing ')'", position)
        return ExpressionError("expression ends unexpectedly", position)
    position = token.start_pos if token.start_pos is not None else 0
    if token.type == "EQ" and text[max(position - 1, 0)] == "=":
        return ExpressionError("unexpected '='; use a single '=' to compare", position)
    if wants_value:
        return ExpressionError(f"expected a value before {_describe(token)}", position)
    if token.type == "FNAME" and token.lower() in {"and", "or", "div", "mod"}:
        return ExpressionError(f"unexpected '{token}'; operators are lower case", position)
    return ExpressionError(f"expected an operator before {_describe(token)}", position)


# --------------------------------------------------------------------------------------------
# Expression
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression. Immutable, so one cached instance can serve every request."""

    text: str
    root: Node = field(repr=False)
    _names: frozenset[str] = field(repr=False, compare=False)
    _functions: frozenset[str] = field(repr=False, compare=False)
    _uses_current: bool = field(repr=False, compare=False)

    def names(self) -> set[str]:
        """Every `${name}` referenced: used for dependency ordering and unknown-name checks."""
        return set(self._names)

    def functions(self) -> set[str]:
        """Every function called (known or not)."""
        return set(self._functions)

    def uses_current(self) -> bool:
        """Whether `.` appears, which is only meaningful in constraints."""
        return self._uses_current

    def evaluate(
        self,
        values: Mapping[str, object],
        current: object = "",
        today: date | None = None,
    ) -> object:
        """Compute the value: bool, int/float (integral floats come back as int), str or date.

        Unanswered questions are "" (pass "" or None, or leave them out of `values`).
        """
        return _to_python(self._evaluate_raw(values, current, today))

    def _evaluate_raw(
        self, values: Mapping[str, object], current: object, today: date | None
    ) -> _Value:
        context = _Context(values, current, today if today is not None else date.today())
        try:
            return _evaluate(self.root, context)
        except ExpressionError:
            raise
        except Exception as exc:  # defensive: the contract is "never anything else"
            raise ExpressionError(f"could not evaluate: {exc}", self.root.pos) from exc


def _walk(root: Node) -> Iterator[Node]:
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Negate):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.right, node.left))
        elif isinstance(node, Logical | Call):
            stack.extend(reversed(node.operands if isinstance(node, Logical) else node.args))


@lru_cache(maxsize=1024)
def parse(text: str) -> Expression:
    """Parse `text`, raising `ExpressionError` (with position) on a syntax error.

    Cached because survey definitions are evaluated on every request with the same texts.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"expression is too long (over {MAX_EXPRESSION_LENGTH} characters)", 0
        )
    if not text.strip():
        raise ExpressionError("expression is empty", 0)
    try:
        root: Node = _PARSER.parse(text)  # type: ignore[assignment]
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    nodes = list(_walk(root))
    for node in nodes:
        if isinstance(node, Bare):
            if node.word in ("true", "false"):
                message = f"'{node.word}' needs parentheses: write {node.word}()"
            elif node.word in FUNCTIONS:
                message = f"function '{node.word}' needs parentheses"
            else:
                message = f"'{node.word}' is not a value; put text in quotes: '{node.word}'"
            raise ExpressionError(message, node.pos)
    return Expression(
        text=text,
        root=root,
        _names=frozenset(node.name for node in nodes if isinstance(node, Ref)),
        _functions=frozenset(node.name for node in nodes if isinstance(node, Call)),
        _uses_current=any(isinstance(node, Current) for node in nodes),
    )


# --------------------------------------------------------------------------------------------
# Static checks
# --------------------------------------------------------------------------------------------


def _is_numeric_text(text: str) -> bool:
    return _NUMBER_TEXT.fullmatch(text) is not None


def check(
    text: str, known_names: Collection[str], *, allow_current: bool = True
) -> list[ExpressionError]:
    """Every problem found without answers, sorted by position; [] when the text is fine.

    A syntax error stops the analysis (there is no tree to look at), so it comes alone.
    """
    try:
        expression = parse(text)
    except ExpressionError as error:
        return [error]
    errors: list[ExpressionError] = []
    for node in _walk(expression.root):
        if isinstance(node, Ref) and node.name not in known_names:
            errors.append(ExpressionError(f"unknown question '{node.name}'", node.pos))
        elif isinstance(node, Current) and not allow_current:
            errors.append(
                ExpressionError("'.' (this question's own answer) is not allowed here", node.pos)
            )
        elif isinstance(node, Call):
            errors.extend(_check_call(node))
        elif isinstance(node, Negate):
            errors.extend(_check_arithmetic_operand(node.operand, "-"))
        elif isinstance(node, Binary) and node.op in _ARITHMETIC:
            for operand in (node.left, node.right):
                errors.extend(_check_arithmetic_operand(operand, node.op))
        elif isinstance(node, Binary) and node.op in _RELATIONAL:
            for operand in (node.left, node.right):
                if (
                    isinstance(operand, Literal)
                    and isinstance(operand.value, str)
                    and not _is_numeric_text(operand.value)
                    and _iso_date(operand.value) is None
                ):
                    errors.append(
                        ExpressionError(
                            f"text '{operand.value}' cannot be compared with '{node.op}'; "
                            "only numbers and dates (YYYY-MM-DD) can",
                            operand.pos,
                        )
                    )
    errors.sort(key=lambda error: error.position)
    return errors


def _check_arithmetic_operand(operand: Node, op: str) -> list[ExpressionError]:
    if (
        isinstance(operand, Literal)
        and isinstance(operand.value, str)
        and not _is_numeric_text(operand.value)
    ):
        return [
            ExpressionError(
                f"text '{operand.value}' cannot be used with '{op}'; only numbers can",
                operand.pos,
            )
        ]
    return []


def _check_call(node: Call) -> list[ExpressionError]:
    arity = FUNCTIONS.get(node.name)
    if arity is None:
        return [ExpressionError(f"unknown function '{node.name}'", node.pos)]
    low, high = arity
    count = len(node.args)
    if count < low or (high is not None and count > high):
        if high is None:
            wanted = f"at least {low} argument{'s' if low != 1 else ''}"
        elif low == high:
            wanted = f"exactly {low} argument{'s' if low != 1 else ''}"
        else:
            wanted = f"{low} to {high} arguments"
        return [ExpressionError(f"{node.name}() takes {wanted}, got {count}", node.pos)]
    if node.name == "regex" and isinstance(node.args[1], Literal):
        pattern_node = node.args[1]
        pattern = pattern_node.value if isinstance(pattern_node.value, str) else ""
        if len(pattern) > MAX_REGEX_PATTERN:
            return [
                ExpressionError(
                    f"regex pattern is longer than {MAX_REGEX_PATTERN} characters",
                    pattern_node.pos,
                )
            ]
        try:
            re.compile(pattern)
        except re.error as error:
            offset = 1 + (error.pos or 0) if isinstance(pattern_node.value, str) else 0
            return [
                ExpressionError(
                    f"invalid regular expression: {error.msg}", pattern_node.pos + offset
                )
            ]
        except (RecursionError, OverflowError, ValueError):
            return [ExpressionError("invalid regular expression", pattern_node.pos)]
    return []


def evaluate_bool(
    text_or_expression: str | Expression,
    values: Mapping[str, object],
    current: object = "",
    today: date | None = None,
) -> bool:
    """XPath `boolean()` of the value: what `relevant`, `constraint` and `required` need.

    Raises ExpressionError only if given text that does not parse.
    """
    expression = (
        parse(text_or_expression) if isinstance(text_or_expression, str) else text_or_expression
    )
    return _to_bool(expression._evaluate_raw(values, current, today))


# --------------------------------------------------------------------------------------------
# Values and XPath coercions
# --------------------------------------------------------------------------------------------

# Internally every value is one of these; numbers are always floats (XPath has only doubles).
_Value = bool | float | str | date

_NUMBER_TEXT = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EPOCH = date(1970, 1, 1)
_EPOCH_TIME = datetime(1970, 1, 1)  # naive on purpose: answers are naive local times
_MAX_EXACT = 2.0**53


@dataclass(slots=True)
class _Context:
    values: Mapping[str, object]
    current: object
    today: date


def _from_python(value: object) -> _Value:
    """Map an answer as stored by the app onto an XPath value."""
    if value is None:
        return ""
    if isinstance(value, bool | str | date):
        return value
    if isinstance(value, Real):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, list | tuple | set | frozenset):
        # select_multiple: XPath sees the space-separated string value.
        return " ".join(str(item) for item in value)
    return str(value)


def _to_python(value: _Value) -> object:
    """Integral floats come back as int so calculations display as `31`, not `31.0`."""
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and abs(value) <= _MAX_EXACT
    ):
        return int(value)
    return value


def _iso_date(text: str) -> date | None:
    if _ISO_DATE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _days(value: date) -> float:
    """XPath number of a date, as in ODK: days since 1970-01-01 (fractional for times)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return (value - _EPOCH_TIME).total_seconds() / 86400
    return float((value - _EPOCH).days)


def _as_date(value: _Value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _iso_date(value)
    return None


def _to_number(value: _Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return _days(value)
    if _NUMBER_TEXT.fullmatch(value):
        return float(value)
    return math.nan


def _number_to_string(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer():
        return str(int(number))
    # XPath never uses exponent notation.
    return format(Decimal(repr(number)), "f")


def _to_string(value: _Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_to_string(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _to_bool(value: _Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    return value != ""


def _equal(left: _Value, right: _Value, negate: bool) -> bool:
    """XPath `=` / `!=` on single values: booleans, then dates, then numbers, then strings."""
    if isinstance(left, bool) or isinstance(right, bool):
        return (_to_bool(left) == _to_bool(right)) != negate
    if isinstance(left, date) or isinstance(right, date):
        left_date, right_date = _as_date(left), _as_date(right)
        if left_date is not None and right_date is not None:
            return (_days(left_date) == _days(right_date)) != negate
    if isinstance(left, float | date) or isinstance(right, float | date):
        x, y = _to_number(left), _to_number(right)
        return x != y if negate else x == y  # NaN: `=` false, `!=` true
    return (_to_string(left) == _to_string(right)) != negate


def _relational(op: str, left: _Value, right: _Value) -> bool:
    left_date, right_date = _as_date(left), _as_date(right)
    if left_date is not None and right_date is not None:
        x, y = _days(left_date), _days(right_date)
    else:
        x, y = _to_number(left), _to_number(right)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    # mod: remainder with the sign of the dividend, as Java/XPath (math.fmod, not %).
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return math.nan
    if math.isinf(y):
        return x
    return math.fmod(x, y)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


#: Search, like current JavaRosa (me.regexp `RE.match`) and Enketo (`RegExp.test`), so that
#: forms imported from ODK behave the same; their authors anchor with ^...$ when they mean it.
_regex_matches: Callable[[re.Pattern[str], str], re.Match[str] | None] = re.Pattern.search


def _regex(text: str, pattern: str) -> bool:
    if len(pattern) > MAX_REGEX_PATTERN or len(text) > MAX_REGEX_INPUT:
        return False
    compiled = _compiled(pattern)
    if compiled is None:
        return False
    return _regex_matches(compiled, text) is not None


def _date_function(value: _Value) -> _Value:
    """`date(x)`: a date from a date, an ISO string or a day count; "" when impossible."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = _iso_date(value.strip())
        if parsed is not None:
            return parsed
    number = _to_number(value)
    if not math.isfinite(number):
        return ""
    try:
        return _EPOCH + timedelta(days=math.floor(number))
    except OverflowError:
        return ""


def _int_function(number: float) -> float:
    if not math.isfinite(number):
        return number
    return float(math.trunc(number))


def _call(node: Call, context: _Context) -> _Value:
    name, args = node.name, node.args
    # Lazy functions first: only the chosen branch is evaluated.
    if name == "if" and len(args) == 3:
        chosen = args[1] if _to_bool(_evaluate(args[0], context)) else args[2]
        return _evaluate(chosen, context)
    if name == "coalesce" and len(args) == 2:
        first = _evaluate(args[0], context)
        return first if _to_string(first) != "" else _evaluate(args[1], context)
    values = [_evaluate(arg, context) for arg in args]
    low, high = FUNCTIONS.get(name, (-1, -1))
    if len(values) < low or (high is not None and len(values) > high):
        # Unknown function or wrong arity: `check` reports it; at runtime it is just empty.
        return ""
    if name == "not":
        return not _to_bool(values[0])
    if name == "selected":
        return _to_string(values[1]).strip() in _to_string(values[0]).split()
    if name == "count-selected":
        return float(len(_to_string(values[0]).split()))
    if name == "string-length":
        return float(len(_to_string(values[0])))
    if name == "regex":
        return _regex(_to_string(values[0]), _to_string(values[1]))
    if name == "today":
        return context.today
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "int":
        return _int_function(_to_number(values[0]))
    if name == "number":
        return _to_number(values[0])
    if name == "string":
        return _to_string(values[0])
    if name == "concat":
        return "".join(_to_string(value) for value in values)
    if name == "date":
        return _date_function(values[0])
    if name in LIBRARY:
        return _library_call(LIBRARY[name], values)
    return ""  # pragma: no cover - every name in FUNCTIONS is handled above


_CONVERT: dict[str, Callable[[_Value], _Value]] = {
    "n": _to_number,
    "s": _to_string,
    "b": _to_bool,
    "v": lambda value: value,
}


def _library_call(function, values: list[_Value]) -> _Value:
    """A function of ``expression_library``, its arguments converted as it asks."""
    kinds = function.kinds or "v"
    converted = [_CONVERT[kinds[min(i, len(kinds) - 1)]](value) for i, value in enumerate(values)]
    return function.run(*converted)


def _evaluate(node: Node, context: _Context) -> _Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return _from_python(context.values.get(node.name, ""))
    if isinstance(node, Current):
        return _from_python(context.current)
    if isinstance(node, Negate):
        return -_to_number(_evaluate(node.operand, context))
    if isinstance(node, Logical):
        if node.op == "and":
            return all(_to_bool(_evaluate(operand, context)) for operand in node.operands)
        return any(_to_bool(_evaluate(operand, context)) for operand in node.operands)
    if isinstance(node, Binary):
        left = _evaluate(node.left, context)
        right = _evaluate(node.right, context)
        if node.op in ("=", "!="):
            return _equal(left, right, node.op == "!=")
        if node.op in _RELATIONAL:
            return _relational(node.op, left, right)
        return _arithmetic(node.op, _to_number(left), _to_number(right))
    if isinstance(node, Call):
        return _call(node, context)
    return ""  # Bare never survives parse()
