"""`baocao template check`: what a Word template uses, and what the report cannot give it.

The template is read the way docxtpl reads it when it renders: the body and each header
and footer part are patched (`DocxTemplate.patch_xml`, which turns `{%p %}`, `{%tr %}`...
into plain Jinja) and parsed by the same sandboxed environment `sandbox.make_env()` builds.
Nothing is rendered and no value is computed; the check only reads the template.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ..errors import BaocaoError
from .report import TEMPLATE_FIELDS, TEMPLATE_ITEM_FIELDS, TEMPLATE_VARIABLES
from .sandbox import FILTERS


@dataclass
class Problem:
    """One thing the template gets wrong, in Vietnamese: where, what was found, what to do."""

    part: str
    message: str


@dataclass
class CheckResult:
    variables: set[str] = field(default_factory=set)  # `x` and `x.y` the template reads
    filters: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class TemplateFileError(BaocaoError):
    """The file is not a Word document at all; the message is for the user."""


def _part_name(part: Any) -> str:
    name = str(part.partname).rsplit("/", 1)[-1]
    if name.startswith("header"):
        return f"đầu trang ({name})"
    if name.startswith("footer"):
        return f"chân trang ({name})"
    return f"thân văn bản ({name})"


def template_sources(blob: bytes) -> list[tuple[str, str]]:
    """(where, Jinja source) for the body, the headers and footers, as docxtpl renders them.

    Paragraphs are put on lines of their own, as docxtpl does before rendering, so a
    Jinja line number points at a paragraph.
    """
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(blob))
        tpl.get_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateFileError(
            f"tệp mẫu không phải tài liệu Word (.docx) hợp lệ: {exc}.") from None
    out = [(_part_name(tpl.docx._part), tpl.patch_xml(tpl.get_xml()))]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            xml = tpl.xml_to_string(parse_xml(part.blob))
            out.append((_part_name(part), tpl.patch_xml(xml)))
    props = tpl.docx.core_properties
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        value = getattr(props, prop) or ""
        if "{" in value:
            out.append((f"thuộc tính tài liệu ({prop})", value))
    return [(where, re.sub(r"<w:p([ >])", r"\n<w:p\1", src)) for where, src in out]


def _paragraph_text(line: str) -> str:
    text = re.sub(r"<[^>]+>", "", line)
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"),
                 ("&amp;", "&")):
        text = text.replace(a, b)
    return text.strip()


def _syntax_text(src: str, exc: Any) -> str:
    """The text of the paragraph a syntax error sits in (the nearest text before a bare tag)."""
    lines = src.splitlines()
    lineno = exc.lineno or len(lines)
    text = _paragraph_text(lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
    if not text:
        for line in reversed(lines[: max(lineno - 1, 0)]):
            if text := _paragraph_text(line):
                break
    return text


def _syntax_problem(where: str, src: str, exc: Any) -> Problem:
    return Problem(where, f"lỗi cú pháp Jinja: {exc.message}; tại đoạn văn "
                          f"“{_syntax_text(src, exc)}”. Kiểm tra các cặp {{{{ }}}}, {{% %}} "
                          "và các lệnh if/for có đủ endif/endfor.")


def locate_syntax_error(blob: bytes) -> str:
    """` (ở <phần>, đoạn văn “…”)` for the first syntax error in the template, or ``."""
    from jinja2 import TemplateSyntaxError

    try:
        sources = template_sources(blob)
    except TemplateFileError:
        return ""
    for where, src in sources:
        try:
            _env().parse(src)
        except TemplateSyntaxError as exc:
            return f" (ở {where}, đoạn văn “{_syntax_text(src, exc)}”)"
    return ""


def _walk(ast: Any, result: CheckResult, where: str) -> None:
    """Record names, fields and filters; check each against the report model."""
    from jinja2 import meta, nodes

    declared = set(TEMPLATE_VARIABLES)
    for name in sorted(meta.find_undeclared_variables(ast)):
        result.variables.add(name)
        if name not in declared:
            result.problems.append(Problem(where, (
                f"biến '{name}' không có trong báo cáo. Các biến báo cáo cung cấp: "
                "xem docs/template-variables.md (hoặc danh sách bên dưới).")))

    # Fields: of a record variable (`muc.ton_tai`), or of a loop variable bound to a list
    # of records (`{% for dong in bang_diem %}…{{ dong.tieu_chi }}`), scoped to its loop.
    def visit(node: Any, loops: dict[str, str]) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter, loops)
            inner = dict(loops)
            if isinstance(node.target, nodes.Name):
                inner.pop(node.target.name, None)
                if isinstance(node.iter, nodes.Name):
                    inner[node.target.name] = node.iter.name
            for child in (*node.body, *(node.else_ or [])):
                visit(child, inner)
            if node.test is not None:
                visit(node.test, inner)
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            attr = node.attr if isinstance(node, nodes.Getattr) else getattr(
                node.arg, "value", None)
            if isinstance(attr, str) and attr.startswith("_"):
                result.problems.append(Problem(where, (
                    f"thuộc tính '{attr}' là phần bên trong của Python; mẫu không được dùng "
                    "(khi lập báo cáo, mẫu này bị từ chối).")))
            elif isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
                check_field(node.node.name, node.attr, loops)
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            result.problems.append(Problem(where, (
                "lệnh include/import/extends nạp một tệp khác; mẫu báo cáo không được đọc "
                "tệp nào ngoài chính nó.")))
        for child in node.iter_child_nodes():
            visit(child, loops)

    def check_field(base: str, attr: str, loops: dict[str, str]) -> None:
        if base in loops:
            if loops[base] not in TEMPLATE_ITEM_FIELDS:
                return
            fields = TEMPLATE_ITEM_FIELDS[loops[base]]
            shown = f"{base} (mỗi phần tử của {loops[base]})"
        elif base in TEMPLATE_FIELDS:
            fields, shown = TEMPLATE_FIELDS[base], base
        else:
            return
        result.variables.add(f"{base}.{attr}")
        if attr not in fields:
            result.problems.append(Problem(where, (
                f"trường '{base}.{attr}' không có: {shown} chỉ có {', '.join(fields)}.")))

    visit(ast, {})

    builtin = set(_env().filters)
    for node in ast.find_all(nodes.Filter):
        result.filters.add(node.name)
        if node.name not in builtin:
            result.problems.append(Problem(where, (
                f"bộ lọc '{node.name}' không có. Bộ lọc tiếng Việt: "
                f"{', '.join(FILTERS)}; và các bộ lọc sẵn có của Jinja.")))


_ENV: Any = None


def _env() -> Any:
    global _ENV
    if _ENV is None:
        from .sandbox import make_env

        _ENV = make_env()
    return _ENV


def check_template(blob: bytes) -> CheckResult:
    """Every variable and filter the template uses, and every problem found (not raised)."""
    from jinja2 import TemplateSyntaxError

    result = CheckResult()
    env = _env()
    for where, src in template_sources(blob):
        try:
            ast = env.parse(src)
        except TemplateSyntaxError as exc:
            result.problems.append(_syntax_problem(where, src, exc))
            continue
        _walk(ast, result, where)
    return result


# ---------------------------------------------------------------- the reference document

def variables_markdown() -> str:
    """docs/template-variables.md, from TEMPLATE_VARIABLES, the field lists and FILTERS."""
    lines = [
        "# Biến và bộ lọc của mẫu báo cáo",
        "",
        "<!-- Tệp này sinh từ mã nguồn (baocao_cli.render.TEMPLATE_VARIABLES, "
        "baocao_cli.sandbox.FILTERS);",
        "     đừng sửa tay. Sinh lại: python -m baocao_cli.template_check "
        "> docs/template-variables.md -->",
        "",
        "Mẫu báo cáo (`src/baocao_cli/render/templates/bao-cao.docx`, hoặc mẫu riêng dùng với "
        "`baocao build --template MẪU.docx`) là một tài liệu Word có thẻ Jinja theo cú pháp "
        "docxtpl: `{{ bien }}` để điền giá trị, `{%p if ... %}` / `{%p for ... %}` cho cả "
        "đoạn văn, `{%tr ... %}` cho cả dòng bảng. Lấy mẫu mặc định để sửa: "
        "`baocao template export MẪU.docx`; kiểm tra mẫu đã sửa: "
        "`baocao template check MẪU.docx`.",
        "",
        "Mẫu chạy trong môi trường Jinja cách ly (sandbox): không truy cập được phần bên trong "
        "của Python hay tệp nào; biến không có trong danh sách dưới đây là lỗi, không bao giờ "
        "bị để trống. Mọi giá trị đã được định dạng sẵn (số kiểu Việt Nam, ngày theo Nghị "
        "định 30/2020).",
        "",
        "## Biến",
        "",
        "| biến | nội dung |",
        "| --- | --- |",
    ]
    for name, text in TEMPLATE_VARIABLES.items():
        lines.append(f"| `{name}` | {text} |")
    lines += ["", "## Trường của các bản ghi", "",
              "| biến | trường |", "| --- | --- |"]
    for name, fields in TEMPLATE_FIELDS.items():
        lines.append(f"| `{name}` | {', '.join(f'`{f}`' for f in fields)} |")
    for name, fields in TEMPLATE_ITEM_FIELDS.items():
        lines.append(f"| mỗi phần tử của `{name}` | {', '.join(f'`{f}`' for f in fields)} |")
    lines += ["", "## Bộ lọc tiếng Việt", "",
              "Dùng như mọi bộ lọc Jinja: `{{ gia_tri | ten_bo_loc }}`. Các bộ lọc sẵn có của "
              "Jinja (`upper`, `default`, `join`, ...) cũng dùng được.", "",
              "| bộ lọc | tác dụng |", "| --- | --- |"]
    for name, (_, text) in FILTERS.items():
        lines.append(f"| `{name}` | {text} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(variables_markdown())
