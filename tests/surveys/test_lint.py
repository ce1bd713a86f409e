"""`flask surveys validate` warns about a comment that splits a label."""

from __future__ import annotations

from pathlib import Path

from portal.surveys.lint import split_label_warnings

SURVEYS = Path(__file__).resolve().parents[2] / "surveys"

SPLIT = """\
questions:
  - type: note
    name: hello
    label:
      en: Which of these best describes you?

  # CL01 child labour.
      es: ¿Cuál de estas opciones se ajusta mejor a usted?
  - type: note
    name: bye
    label:
      en: Bye
      # a reviewer's note about the Spanish text, indented with it: not a split
      es: Adiós
"""


def test_a_comment_between_two_texts_of_a_label_is_reported():
    assert split_label_warnings(SPLIT) == [
        "line 7: this comment splits a label between its 'en' and 'es' texts; "
        "move it above the question"
    ]


def test_the_shipped_surveys_have_no_split_label():
    for path in sorted(SURVEYS.glob("*.yaml")):
        assert split_label_warnings(path.read_text(encoding="utf-8")) == [], path.name


def test_validate_prints_the_warning_and_still_succeeds(app, tmp_path):
    source = (SURVEYS / "training-feedback.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    first_es = next(i for i, line in enumerate(lines) if line.strip().startswith("es:"))
    lines.insert(first_es, "# a stray comment")
    path = tmp_path / "split.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: line" in result.stderr and "splits a label" in result.stderr
