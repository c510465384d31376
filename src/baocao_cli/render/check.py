"""`baocao template check`: what a Word template uses, and what the report cannot give it.

The template is read by source.read_template, the one reader the fill uses too: the body,
headers, footers, footnotes, endnotes and core properties, patched as docxtpl patches them
and parsed by the same sandboxed environment (`sandbox.make_env()`). Nothing is rendered;
the check only reads. The fill runs the same check once per template, so a template the
check refuses never yields a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .sandbox import FILTERS, TemplateError
from .source import Problem, Template, read_template, syntax_text

# Jinja's filters that turn report data into markup autoescape then lets through (a value
# "TB&XH" would break the document or lose its "&XH").
MARKUP_FILTERS = ("safe", "xmlattr", "tojson", "urlize")

__all__ = ["CheckResult", "Problem", "TemplateFileError", "Vocabulary", "check_template"]


@dataclass(frozen=True)
class Vocabulary:
    """What a kind of report gives its template: names, the fields of records and of the
    items of lists, and how the report is called in messages."""

    variables: dict[str, str]
    fields: dict[str, tuple[str, ...]]
    item_fields: dict[str, tuple[str, ...]]
    label: str = "báo cáo"


@dataclass
class CheckResult:
    variables: set[str] = field(default_factory=set)  # `x` and `x.y` the template reads
    filters: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


TemplateFileError = TemplateError  # the file cannot be used at all; the message says why


def _syntax_problem(where: str, src: str, exc: Any) -> Problem:
    return Problem(where, f"lỗi cú pháp Jinja: {exc.message}; tại đoạn văn "
                          f"“{syntax_text(src, exc)}”. Kiểm tra các cặp {{{{ }}}}, {{% %}} "
                          "và các lệnh if/for có đủ endif/endfor.")


def _walk(ast: Any, result: CheckResult, where: str, vocabulary: Vocabulary,
          env: Any) -> None:
    """Record names, fields and filters; check each against the report model."""
    from jinja2 import meta, nodes

    for name in sorted(meta.find_undeclared_variables(ast)):
        result.variables.add(name)
        if name not in vocabulary.variables:
            result.problems.append(Problem(where, (
                f"biến '{name}' không có trong {vocabulary.label}. Các biến được cung cấp: "
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
        if isinstance(node, nodes.EvalContextModifier):
            result.problems.append(Problem(where, (
                "lệnh autoescape tắt việc thoát ký tự đặc biệt: giá trị có `&` hay `<` (như "
                "“TB&XH”) sẽ làm hỏng văn bản; mẫu không được dùng lệnh này.")))
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            result.problems.append(Problem(where, (
                "lệnh include/import/extends nạp một tệp khác; mẫu báo cáo không được đọc "
                "tệp nào ngoài chính nó.")))
        for child in node.iter_child_nodes():
            visit(child, loops)

    def check_field(base: str, attr: str, loops: dict[str, str]) -> None:
        if base in loops:
            if loops[base] not in vocabulary.item_fields:
                return
            fields = vocabulary.item_fields[loops[base]]
            shown = f"{base} (mỗi phần tử của {loops[base]})"
        elif base in vocabulary.fields:
            fields, shown = vocabulary.fields[base], base
        else:
            return
        result.variables.add(f"{base}.{attr}")
        if attr not in fields:
            result.problems.append(Problem(where, (
                f"trường '{base}.{attr}' không có: {shown} chỉ có {', '.join(fields)}.")))

    visit(ast, {})

    builtin = set(env.filters)
    for node in ast.find_all(nodes.Filter):
        result.filters.add(node.name)
        if node.name in MARKUP_FILTERS:
            result.problems.append(Problem(where, (
                f"bộ lọc '{node.name}' cho giá trị đi qua mà không thoát ký tự đặc biệt: "
                "“TB&XH” sẽ mất “&XH” hoặc làm hỏng văn bản. Bỏ bộ lọc này: mọi giá trị đã "
                "được định dạng sẵn.")))
        elif node.name not in builtin:
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


def check_source(src: Template, vocabulary: Vocabulary, env: Any = None,
                 trees: dict[str, Any] | None = None) -> CheckResult:
    """Every variable and filter the read template uses, and every problem found. The
    parsed sources go into `trees` (by source text), for the fill to compile."""
    from jinja2 import TemplateSyntaxError

    env = env if env is not None else _env()
    result = CheckResult(problems=list(src.problems))
    sources = [(p.where, p.source) for p in src.parts]
    sources += [(f"thuộc tính tài liệu ({name})", value) for name, value in src.properties]
    for where, text in sources:
        try:
            ast = env.parse(text)
        except TemplateSyntaxError as exc:
            result.problems.append(_syntax_problem(where, text, exc))
            continue
        _walk(ast, result, where, vocabulary, env)
        if trees is not None:
            trees[text] = ast
    return result


def check_template(blob: bytes, vocabulary: Vocabulary) -> CheckResult:
    """Every variable and filter the template uses, and every problem found (not raised);
    TemplateFileError when the file cannot be used at all."""
    return check_source(read_template(blob), vocabulary)


# ---------------------------------------------------------------- the reference document

def variables_markdown(unit: Vocabulary, tong_hop: Vocabulary) -> str:
    """docs/template-variables.md, from the two vocabularies and FILTERS."""
    lines = [
        "# Biến và bộ lọc của mẫu báo cáo",
        "",
        "<!-- Tệp này sinh từ mã nguồn (render/report.py, summary/document.py, "
        "render/sandbox.py);",
        "     đừng sửa tay. Sinh lại: python scripts/make_template_docs.py -->",
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
    _vocabulary_tables(lines, unit)
    lines += ["", "## Mẫu báo cáo tổng hợp", "",
              "Báo cáo tổng hợp của `baocao batch` (`tong-hop.docx`) điền từ mẫu "
              "`src/baocao_cli/render/templates/tong-hop.docx` theo cùng cách. Lấy mẫu để sửa: "
              "`baocao template export MẪU.docx --tong-hop`; kiểm tra: "
              "`baocao template check MẪU.docx --tong-hop`; dùng: "
              "`baocao batch ... --template-tong-hop MẪU.docx`. Biểu đồ là ảnh tên `bieu_do` "
              "trong mẫu (Alt Text / tên ảnh), được thay bằng biểu đồ vẽ khi lập báo cáo.",
              "", "### Biến", "", "| biến | nội dung |", "| --- | --- |"]
    _vocabulary_tables(lines, tong_hop)
    lines += ["", "## Bộ lọc tiếng Việt", "",
              "Dùng như mọi bộ lọc Jinja: `{{ gia_tri | ten_bo_loc }}`. Các bộ lọc sẵn có của "
              "Jinja (`upper`, `default`, `join`, ...) cũng dùng được.", "",
              "| bộ lọc | tác dụng |", "| --- | --- |"]
    for name, (_, text) in FILTERS.items():
        lines.append(f"| `{name}` | {text} |")
    return "\n".join(lines) + "\n"



def _vocabulary_tables(lines: list[str], vocabulary: Vocabulary) -> None:
    for name, text in vocabulary.variables.items():
        lines.append(f"| `{name}` | {text} |")
    lines += ["", "Trường của các bản ghi:", "", "| biến | trường |", "| --- | --- |"]
    for name, fields in vocabulary.fields.items():
        lines.append(f"| `{name}` | {', '.join(f'`{f}`' for f in fields)} |")
    for name, fields in vocabulary.item_fields.items():
        lines.append(f"| mỗi phần tử của `{name}` | {', '.join(f'`{f}`' for f in fields)} |")
