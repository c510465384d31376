"""The work of one request, run in a pool worker: the library's own calls, nothing else.

Each function takes paths inside the request's private folder and returns plain data
(a JSON text, a small dict) for the server to send; the rules and the template are set
once per worker by `setup`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..api import build as build_report
from ..api import check
from ..batch import run_batch
from ..output import FileResult, validation_json
from ..render.pdf import PdfError, docx_to_pdf
from ..render.sandbox import TemplateError
from ..score.rules import Rules

MAX_ERRORS_LISTED = 3  # a unit's first errors for the page; tong-hop.xlsx has them all

_RULES: Rules | None = None
_TEMPLATE: bytes | None = None


def setup(rules: Rules, template: bytes | None) -> None:
    """Keep the rules and the template; check the packaged example once, so that the
    first clerk does not wait for what the first check loads."""
    from importlib.resources import as_file, files

    global _RULES, _TEMPLATE
    _RULES, _TEMPLATE = rules, template
    with as_file(files("baocao_cli") / "data" / "example.xlsx") as example:
        check(example, rules)


def _json(result: FileResult, name: str) -> str:
    """`validate --format json` for one file, named as the client named it (never the
    server's private path)."""
    return validation_json([FileResult(Path(name), result.issues, result.extra)], False)


def validate(path: str, name: str) -> str:
    return _json(FileResult.of(check(path, _RULES)), name)


def build(path: str, output: str, name: str, pdf: bool) -> dict[str, Any]:
    """The report of one workbook; `json` instead when it has errors; `error` when the
    report could not be made (the server's template, LibreOffice)."""
    try:
        built = build_report(path, output, _RULES, template=_TEMPLATE)
    except TemplateError as exc:
        return {"error": f"mẫu báo cáo của máy chủ không dùng được: {exc}"}
    if built.output is None:
        return {"json": _json(FileResult.of(built.checked), name)}
    if pdf:
        try:
            docx_to_pdf(built.output, built.output.with_suffix(".pdf"))
        except PdfError as exc:
            return {"error": str(exc)}
        return {"file": str(built.output.with_suffix(".pdf"))}
    return {"file": str(built.output)}


def batch(inputs: list[str], root: str, outdir: str, archive: str, pdf: bool
          ) -> dict[str, Any]:
    """The batch of CLI's `batch` (in this worker, one unit after another: the pool is
    the server's parallelism), zipped into `archive`. Units are named by their path
    below `root`, as the client sent them."""
    out = Path(outdir)
    result = run_batch([Path(p) for p in inputs], out, rules=_RULES, template=_TEMPLATE,
                       jobs=1, pdf=pdf)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                zf.write(path, path.relative_to(out).as_posix())

    def name(source: str) -> str:
        try:
            return Path(source).relative_to(root).as_posix()
        except ValueError:
            return Path(source).name

    failed = [{"file": name(u.source), "errors": list(u.errors[:MAX_ERRORS_LISTED]),
               "n_errors": u.n_errors} for u in result.failed]
    return {"units": len(result.units), "built": len(result.built), "failed": failed,
            "pdf_failed": [name(u.source) for u in result.pdf_failed]}
