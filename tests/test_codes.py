"""The issue catalogue: every code documented, produced, and defined — one list, kept current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from baocao_cli.issues import CATALOGUE, TYPES, codes_markdown, example_message, make

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "baocao_cli"
CODE = re.compile(r"""["']([EW]\d{3})["']""")


def _codes_in_source() -> dict[str, list[str]]:
    """Code literals outside the catalogue itself: where each code can be produced."""
    found: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        if path == SRC / "issues.py":
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(SRC)))
    return found


def test_docs_codes_md_is_generated_from_the_catalogue() -> None:
    committed = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert committed == codes_markdown(), (
        "docs/codes.md is stale: python -m baocao_cli.issues > docs/codes.md")


def test_every_code_defined_is_produced_somewhere() -> None:
    produced = _codes_in_source()
    never = sorted(set(CATALOGUE) - set(produced))
    assert never == [], f"defined in issues.py but never produced: {never}"


def test_every_code_produced_is_defined() -> None:
    undefined = {c: w for c, w in _codes_in_source().items() if c not in CATALOGUE}
    assert undefined == {}, f"produced but not in the catalogue: {undefined}"


def test_codes_are_unique_and_in_order_of_their_section() -> None:
    codes = [t.code for t in TYPES]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("kind", TYPES, ids=lambda t: t.code)
def test_each_type_is_complete(kind) -> None:
    assert re.fullmatch(r"[EW]\d{3}", kind.code)
    assert kind.title and len(kind.title) <= 45 and not kind.title.endswith(".")
    assert kind.description.endswith(".") and len(kind.description) > len(kind.title)
    place, params = kind.example
    assert place, "an example names a place"
    missing = set(kind.params) - set(params) - {"sheet", "key"}
    assert missing == set(), f"the example lacks {missing}"
    message = example_message(kind)
    assert "{" not in message and message.rstrip().endswith((".", ")"))


def test_an_issue_keeps_the_values_of_its_message() -> None:
    issue = make("E306", sheet="Chấm điểm", cell="D7", stt="1.2", score="6", maximum="5")
    assert issue.message == ("Chấm điểm!D7: tiêu chí 1.2: điểm tự chấm 6 lớn hơn điểm tối "
                             "đa 5. Cần từ 0 đến 5.")
    assert dict(issue.params) == {"stt": "1.2", "score": "6", "maximum": "5"}
    assert issue.title == "Điểm vượt điểm tối đa"
    assert issue.to_dict()["params"] == {"stt": "1.2", "score": "6", "maximum": "5"}
    assert issue.to_dict()["title"] == "Điểm vượt điểm tối đa"


def test_a_code_not_in_the_catalogue_is_refused() -> None:
    with pytest.raises(KeyError):
        make("E999")
