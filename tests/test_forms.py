"""Upkeep of the form layer: WTForms 3.4 choices everywhere, no private Flask-WTF API.

The deprecation warnings of WTForms 3.3 fail the suite (pyproject's filterwarnings), but a
choice list assigned after construction (``form.x.choices = [...]``) warns nowhere, so the
source is read here as well."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from wtforms.fields.choices import SelectChoice

from portal.forms import options

PORTAL = Path(__file__).resolve().parents[1] / "portal"
CHOICE_BUILDERS = {"options", "_choices"}  # engagement's _choices returns options(...)


def _sources():
    for path in sorted(PORTAL.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _choice_values(tree):
    """(line, value) of every ``choices=`` given to a field and every ``x.y.choices = ...``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.endswith("Field"):
                yield from ((kw.lineno, kw.value) for kw in node.keywords if kw.arg == "choices")
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "choices"
                and isinstance(target.value, ast.Attribute)  # form.field.choices
            ):
                yield node.lineno, node.value


def _builds_choices(value) -> bool:
    return isinstance(value, ast.Call) and getattr(value.func, "id", "") in CHOICE_BUILDERS


def test_every_choice_list_is_made_of_select_choices():
    legacy = [
        f"{path.relative_to(PORTAL.parent)}:{line}"
        for path, tree in _sources()
        for line, value in _choice_values(tree)
        if not _builds_choices(value)
    ]
    assert legacy == [], "wrap these choices in portal.forms.options()"


def test_the_scan_would_see_a_tuple_list():
    tree = ast.parse("form.site.choices = [(1, 'A')]\nx = SelectField(choices=[('a', 'A')])")
    assert [_builds_choices(value) for _line, value in _choice_values(tree)] == [False, False]


def test_no_private_name_of_flask_wtf_or_wtforms_is_used():
    private = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                "flask_wtf",
                "wtforms",
            ):
                parts = [*node.module.split("."), *(alias.name for alias in node.names)]
                if any(part.startswith("_") for part in parts):
                    private.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno}")
    assert private == []


@pytest.mark.parametrize(
    "given",
    [[("a", "A"), ("b", "B")], {"a": "A", "b": "B"}, (pair for pair in [("a", "A"), ("b", "B")])],
)
def test_options_keeps_order_and_labels(given):
    assert options(given) == [SelectChoice("a", "A"), SelectChoice("b", "B")]


def test_a_select_renders_its_options_and_keeps_the_choice(app):
    """Through a real form: values as sent, labels translated lazily, the chosen one marked."""
    from portal.suppliers.forms import SupplierForm

    with app.test_request_context("/suppliers/new", method="POST", data={"country": "BD"}):
        form = SupplierForm()
        html = str(form.country)
    assert '<option selected value="BD">' in html
    assert form.country.data == "BD"
