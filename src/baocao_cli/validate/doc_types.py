"""The type of a document from its ký hiệu (`218/BC-SLĐTBXH` → Báo cáo) with the
abbreviation table of Phụ lục III (data: doc_types.toml), else from its summary's first
words; a ký hiệu without a type abbreviation is a Công văn.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..vn import fold

OTHER_KIND = "Văn bản khác"


@dataclass(frozen=True)
class DocTypes:
    by_abbr: dict[str, str]  # exact abbreviation -> label
    by_upper: dict[str, str]
    by_fold: dict[str, str]  # only abbreviations whose folded form is unambiguous
    names: tuple[tuple[str, str], ...]  # (folded name, label), longest first
    cong_van: str


@functools.cache
def doc_types() -> DocTypes:
    """Phụ lục III's abbreviation table, from the package's doc_types.toml."""
    text = resources.files(__package__).joinpath("doc_types.toml").read_text("utf-8")
    data = tomllib.loads(text)
    entries = [*data["hanh_chinh"], *data.get("quy_pham", [])]
    by_abbr: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for e in entries:
        label = e.get("label") or e["name"]
        by_abbr[e["abbr"]] = label
        folded.setdefault(fold(e["abbr"]), set()).add(label)
        names[fold(re.sub(r"\([^)]*\)", "", e["name"]))] = label
        names[fold(label)] = label
    cong_van = data["cong_van"]
    names[fold(cong_van)] = cong_van
    for short in ("V/v", "Về việc"):
        names[fold(short)] = cong_van
    return DocTypes(
        by_abbr, {a.upper(): lbl for a, lbl in by_abbr.items()},
        {k: next(iter(v)) for k, v in folded.items() if len(v) == 1},
        tuple(sorted(names.items(), key=lambda kv: -len(kv[0]))), cong_van)


def type_of_abbr(token: str) -> str | None:
    t = doc_types()
    return t.by_abbr.get(token) or t.by_upper.get(token.upper()) or t.by_fold.get(fold(token))


def type_of_summary(summary: str) -> str | None:
    """The type named by the first words of `Tên loại và trích yếu` (`Báo cáo kết quả …`)."""
    if not summary:
        return None
    head = fold(summary[:40])
    return next((label for name, label in doc_types().names if head.startswith(name)), None)


KY_HIEU = re.compile(r"^(\d+)\s*/\s*(?:(\d{4})\s*/\s*)?(\S.*)$")


@dataclass(frozen=True)
class Code:
    number: int
    year: int | None  # legal documents: `05/2021/QĐ-UBND`
    tail: str  # what follows the number (and year): `BC-SLĐTBXH`

    @property
    def key(self) -> str:
        year = f"{self.year}/" if self.year else ""
        return f"{self.number}/{year}{fold(self.tail).upper()}"


def parse_code(text: str) -> Code | None:
    m = KY_HIEU.match(text.replace(" ", ""))
    if not m:
        return None
    number, year, tail = m.groups()
    return Code(int(number), int(year) if year else None, tail)


def classify(code: Code | None, summary: str, own: str) -> tuple[str, str | None]:
    """(type label, unknown abbreviation or None) of one registered document.

    `own` is the unit's own ký hiệu (`Thông tin`, outgoing only): a ký hiệu that starts with
    it has no type abbreviation and is a Công văn; one that has something else before it
    carries an abbreviation Phụ lục III does not know.
    """
    if code is not None:
        label, unknown, fallback = _by_tail(code.tail, own)
        if label is not None:
            return label, None
        return type_of_summary(summary) or fallback, unknown
    return type_of_summary(summary) or OTHER_KIND, None


def type_of_code(code: Code, own: str) -> str | None:
    """The type a ký hiệu gives on its own, as `classify` would find it; None when the
    summary must be read (registers.py reads a summary only then)."""
    return _by_tail(code.tail, own)[0]


@functools.lru_cache(maxsize=4096)
def _by_tail(tail: str, own: str) -> tuple[str | None, str | None, str]:
    """What the part of a ký hiệu after its number says: (type, or None when the summary
    must decide; an unknown abbreviation; the type when the summary names none). A register
    repeats the same few tails thousands of times."""
    t = doc_types()
    tokens = [x for x in tail.split("-") if x]
    if tokens and (label := type_of_abbr(tokens[0])):
        return label, None, label
    folded = fold(tail)
    if own:
        if folded.startswith(own):
            return t.cong_van, None, t.cong_van
        if folded.find(own) > 0:
            return None, tail.split("-")[0], OTHER_KIND
    return None, None, t.cong_van
