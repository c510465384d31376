"""The library behind the CLI: check a workbook, build its report. No printing here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import contract
from .files import check_clash
from .issues import Issue, make
from .model import Report
from .read.book import read_book
from .read.registers import RegisterTable
from .score.check import check_scores
from .score.compute import Scores, compute
from .score.rules import Rules, load_rules
from .validate.parse import parse_book
from .validate.registers import Summary, check_registers, merge_counts, read_registers
from .validate.relations import check_report
from .vn import fold

_REGISTER_SHEETS = frozenset(fold(spec.name) for spec in contract.REGISTERS)


@dataclass
class Checked:
    """One workbook after reading, parsing, validating and (when valid) scoring."""

    path: Path
    report: Report | None
    issues: list[Issue] = field(default_factory=list)
    scores: Scores | None = None
    registers: list[Summary] = field(default_factory=list)  # sổ đăng ký văn bản đi / đến

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Built:
    checked: Checked
    output: Path | None  # None when the workbook had errors and nothing was written


def check(path: str | Path, rules: Rules | None = None,
          so_van_ban: str | Path | None = None) -> Checked:
    """Read and check one workbook; every problem is returned, none is raised.

    The document registers come from the workbook's own `Sổ văn bản đi/đến` sheets, or from
    `so_van_ban` (an e-office export) when given.
    """
    path = Path(path)
    rules = rules or load_rules()
    book, issues = read_book(path)
    if book is None:
        return Checked(path, None, issues)
    report, parse_issues = parse_book(book, rules)
    issues = issues + parse_issues
    summaries: list[Summary] = []
    tables: list[RegisterTable] = []
    reg_issues: list[Issue] = []
    if any(fold(name) in _REGISTER_SHEETS for name in book.sheet_names):
        tables, reg_issues = read_registers(path)  # most units have none: no second opening
    if so_van_ban is not None:
        issues += [make("W610", sheet=t.sheet, file=Path(so_van_ban).name) for t in tables]
        tables, reg_issues = read_registers(Path(so_van_ban), external=True)
    issues += reg_issues
    if tables:
        # The registers stand in for `Văn bản`: its absence is no longer an error.
        issues = [i for i in issues
                  if not (i.code == "E101" and i.sheet == contract.VAN_BAN.name)]
        registers = check_registers(tables, report.info)
        issues += registers.issues
        summaries = registers.summaries
        sheet = report.sheet_names.get("van_ban", contract.VAN_BAN.name)
        report.documents, diff = merge_counts(report.documents, registers.documents, sheet,
                                              ", ".join(t.sheet for t in tables))
        issues += diff
    issues += check_scores(report, rules)
    issues += check_report(report)
    checked = Checked(path, report, issues, registers=summaries)
    if checked.ok:
        checked.scores = compute(report, rules)
    return checked


def default_output(path: Path) -> Path:
    return path.with_suffix(".docx")


def build(path: str | Path, output: str | Path | None = None, rules: Rules | None = None,
          template: bytes | None = None, so_van_ban: str | Path | None = None) -> Built:
    """Check `path` and, when it has no errors, write its report to `output` atomically;
    `files.PathClash` when `output` is one of the inputs."""
    from .render.report import render_docx, write_docx

    rules = rules or load_rules()
    checked = check(path, rules, so_van_ban)
    if not checked.ok or checked.report is None or checked.scores is None:
        return Built(checked, None)
    out = Path(output) if output is not None else default_output(checked.path)
    check_clash([(out, "tệp kết quả")], [(checked.path, "sổ Excel đầu vào"),
                                         (Path(so_van_ban) if so_van_ban is not None else None,
                                          "--so-van-ban")])
    blob = render_docx(checked.report, checked.scores, rules, template)
    write_docx(out, blob)
    return Built(checked, out)
