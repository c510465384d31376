"""The `baocao` command: argument handling and printing only; the work is in `api`."""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__

app = typer.Typer(
    name="baocao",
    help="Lập báo cáo công tác văn thư, lưu trữ (Nghị định 30/2020/NĐ-CP) từ sổ Excel.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RulesOpt = Annotated[Path | None, typer.Option(
    "--rules", help="Tệp quy tắc chấm điểm (.toml) thay cho quy tắc mặc định ha-tinh-2021.",
    dir_okay=False, metavar="TỆP.toml")]


class Format(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"baocao {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="In phiên bản rồi thoát.")] = False,
) -> None:
    """Lập báo cáo công tác văn thư, lưu trữ (Nghị định 30/2020/NĐ-CP) từ sổ Excel."""


def _load_rules(path: Path | None):
    from ..score.rules import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(2) from None


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"Lỗi: {message}", err=True)
    return typer.Exit(2)


def _check_output(path: Path, suffix: str, what: str) -> None:
    """A file the command will write: right suffix, not a folder, in a folder that exists."""
    if path.suffix.lower() != suffix:
        raise _usage_error(f"{what} {path} phải có đuôi {suffix}.")
    if path.is_dir():
        raise _usage_error(f"{path} là một thư mục. Cần tên một tệp {suffix}.")
    if not path.parent.is_dir():
        raise _usage_error(f"thư mục {path.parent} không tồn tại. Hãy tạo thư mục trước.")


@app.command()
def build(
    data: Annotated[Path, typer.Argument(help="Sổ tính (.xlsx, .xls, .ods) của đơn vị.",
                                         show_default=False, metavar="SỔ.xlsx")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Tệp báo cáo (.docx) sẽ ghi; mặc định cùng tên, cạnh sổ Excel.",
        dir_okay=False, metavar="TỆP.docx")] = None,
    rules: RulesOpt = None,
    template: Annotated[Path | None, typer.Option(
        "--template", help="Mẫu báo cáo (.docx) thay cho mẫu mặc định; lấy mẫu mặc định để "
        "sửa: baocao template export MẪU.docx.", dir_okay=False, metavar="MẪU.docx",
        show_default=False)] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Ghi thêm bản PDF cạnh tệp .docx, cùng tên (cần LibreOffice).")] = False,
    so_van_ban: Annotated[Path | None, typer.Option(
        "--so-van-ban", help="Sổ đăng ký văn bản đi/đến xuất từ hệ thống quản lý văn bản "
        "(.xlsx, .xls, .ods) để đếm văn bản và kiểm tra việc cấp số; dùng thay cho các trang "
        "\"Sổ văn bản đi\", \"Sổ văn bản đến\" trong sổ Excel.", dir_okay=False,
        metavar="SỔ_VĂN_BẢN.xlsx", show_default=False)] = None,
) -> None:
    """Kiểm tra sổ Excel rồi lập báo cáo Word (.docx); sổ có lỗi thì không ghi gì."""
    from ..api import build as build_report
    from ..api import default_output
    from ..output import count_line, issues_text
    from ..render.sandbox import TemplateError
    from ..vn import format_score

    loaded = _load_rules(rules)
    out = output if output is not None else default_output(data)
    _check_output(out, ".docx", "tệp kết quả")
    if out.resolve() == data.resolve():
        raise _usage_error("tệp kết quả trùng với sổ Excel đầu vào.")
    blob = None
    if template is not None:
        if template.resolve() == out.resolve():
            raise _usage_error(f"tệp kết quả {out} trùng với mẫu báo cáo; hãy chọn tên khác.")
        try:
            blob = template.read_bytes()
        except OSError as exc:
            raise _usage_error(f"không đọc được mẫu báo cáo {template}: "
                               f"{exc.strerror or exc}.") from None
    try:
        built = build_report(data, out, loaded, template=blob, so_van_ban=so_van_ban)
    except TemplateError as exc:
        where = f"{template}: " if template is not None else ""
        typer.echo(f"Lỗi: {where}{exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"Lỗi: không ghi được {out}: {exc.strerror or exc}.", err=True)
        raise typer.Exit(1) from None
    checked = built.checked
    if built.output is None:
        typer.echo(f"{data}: không lập báo cáo vì sổ Excel có lỗi.", err=True)
        for line in issues_text(checked.issues):
            typer.echo(line, err=True)
        typer.echo(count_line(len(checked.errors), len(checked.warnings)), err=True)
        raise typer.Exit(1)
    assert checked.report is not None and checked.scores is not None
    typer.echo(f"Đơn vị: {checked.report.info.co_quan}")
    typer.echo(f"Tổng điểm: {format_score(checked.scores.total)} — Xếp loại: "
               f"{checked.scores.rating}")
    typer.echo(f"Đã ghi báo cáo: {built.output}")
    if checked.warnings:
        for line in issues_text(checked.warnings):
            typer.echo(line)
    if pdf:
        from ..render.pdf import PdfError, docx_to_pdf

        target = built.output.with_suffix(".pdf")
        try:
            docx_to_pdf(built.output, target)
        except PdfError as exc:
            typer.echo(f"Lỗi: {exc} Báo cáo Word vẫn đã ghi: {built.output}.", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Đã ghi bản PDF: {target}")


@app.command()
def validate(
    inputs: Annotated[list[Path], typer.Argument(
        help="Sổ tính (.xlsx, .xls, .ods) hoặc thư mục chứa các sổ cần kiểm tra.",
        show_default=False,
        metavar="SỔ_HOẶC_THƯ_MỤC...")],
    fmt: Annotated[Format, typer.Option("--format", help="Cách in kết quả: text (cho người "
                                        "đọc) hoặc json (cho máy).")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Coi cảnh báo như lỗi.")] = False,
    rules: RulesOpt = None,
    so_van_ban: Annotated[Path | None, typer.Option(
        "--so-van-ban", help="Sổ đăng ký văn bản đi/đến xuất từ hệ thống quản lý văn bản "
        "(.xlsx, .xls, .ods) của đơn vị (chỉ dùng khi kiểm tra một sổ).", dir_okay=False,
        metavar="SỔ_VĂN_BẢN.xlsx", show_default=False)] = None,
) -> None:
    """Kiểm tra sổ Excel trước khi nộp: chỉ rõ từng lỗi ở trang tính và ô nào."""
    from ..api import check
    from ..issues import make
    from ..output import FileResult, validation_json, validation_text
    from ..read.inputs import collect

    loaded = _load_rules(rules)
    files, empty = collect(inputs)
    if so_van_ban is not None and len(files) + len(empty) != 1:
        raise _usage_error("--so-van-ban là sổ đăng ký của một đơn vị: chỉ dùng khi kiểm tra "
                           "đúng một sổ Excel.")
    results = [FileResult.of(check(path, loaded, so_van_ban)) for path in files]
    results += [FileResult(folder, [make("E008", sheet=str(folder))]) for folder in empty]
    if fmt is Format.json:
        typer.echo(validation_json(results, strict))
    else:
        for line in validation_text(results, strict):
            typer.echo(line)
    raise typer.Exit(1 if any(r.failed(strict) for r in results) else 0)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Sổ Excel (.xlsx) sẽ tạo.", show_default=False,
                                         metavar="SỔ.xlsx")],
    rules: RulesOpt = None,
    example: Annotated[bool, typer.Option(
        "--example", help="Ghi sổ mẫu đã điền sẵn (báo cáo 218/BC-SLĐTBXH của Sở LĐ-TB&XH "
        "Hà Tĩnh năm 2021) thay cho sổ trống.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Ghi đè nếu tệp đã có (mặc định: không ghi đè).")] = False,
) -> None:
    """Tạo sổ Excel trống đúng mẫu để điền (trang tính, cột, danh sách chọn, hướng dẫn)."""
    from ..score.rules import DEFAULT_RULES
    from ..starter import StarterExists, write_example, write_starter

    loaded = _load_rules(rules)
    _check_output(path, ".xlsx", "tệp")
    if example and loaded.id != DEFAULT_RULES:
        raise _usage_error(f"sổ mẫu (--example) được chấm theo quy tắc {DEFAULT_RULES}, "
                           f"không dùng được với --rules {loaded.id}. Bỏ một trong hai tùy "
                           f"chọn.")
    try:
        if example:
            write_example(path, force=force)
        else:
            write_starter(path, loaded, force=force)
    except StarterExists:
        raise _usage_error(f"tệp {path} đã có; không ghi đè để khỏi mất dữ liệu. Chọn tên "
                           f"khác, hoặc thêm --force để ghi đè.") from None
    except OSError as exc:
        typer.echo(f"Lỗi: không ghi được {path}: {exc.strerror or exc}.", err=True)
        raise typer.Exit(1) from None
    option = "" if rules is None else f" --rules {rules}"
    if example:
        typer.echo(f"Đã ghi sổ mẫu: {path}")
        typer.echo(f"Lập báo cáo mẫu: baocao build {path}")
    else:
        typer.echo(f"Đã tạo sổ Excel trống: {path} (quy tắc {loaded.id})")
        typer.echo("Mở bằng Excel hoặc LibreOffice, đọc trang \"Hướng dẫn\", điền các ô tô vàng, "
                   "lưu lại rồi chạy:")
        typer.echo(f"  baocao validate {path}{option}")
        typer.echo(f"  baocao build {path}{option}")


rules_app = typer.Typer(
    help="Xem bộ quy tắc chấm điểm (các phần, điểm tối đa, mức xếp loại, tiêu chí).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(rules_app, name="rules")


@rules_app.command("show")
def rules_show(rules: RulesOpt = None) -> None:
    """In bộ quy tắc chấm điểm dưới dạng bảng: phần, điểm tối đa, xếp loại, tiêu chí."""
    from ..score.rules import rules_table

    typer.echo(rules_table(_load_rules(rules)))


@app.command()
def batch(
    inputs: Annotated[list[Path], typer.Argument(
        help="Sổ tính (.xlsx, .xls, .ods) hoặc thư mục chứa các sổ (tìm cả thư mục "
        "con).",
        show_default=False, metavar="SỔ_HOẶC_THƯ_MỤC...")],
    outdir: Annotated[Path, typer.Option(
        "-o", "--output", help="Thư mục ghi các báo cáo và bản tổng hợp (tạo nếu chưa có).",
        file_okay=False, metavar="THƯ_MỤC", show_default=False)],
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Số tiến trình chạy song song; mặc định bằng số lõi CPU. "
        "--jobs 1 chạy tuần tự.", metavar="N", show_default=False)] = None,
    rules: RulesOpt = None,
    info: Annotated[Path | None, typer.Option(
        "--info", help="Sổ Excel có trang \"Thông tin\" (và \"Nơi nhận\") của cơ quan tổng hợp, "
        "dùng cho phần đầu và chữ ký của báo cáo tổng hợp; không có thì để trống để điền tay.",
        dir_okay=False, metavar="TỆP.xlsx", show_default=False)] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", help="Mẫu báo cáo (.docx) thay cho mẫu mặc định, dùng cho mọi đơn vị.",
        dir_okay=False, metavar="MẪU.docx", show_default=False)] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Ghi thêm bản PDF cạnh mỗi báo cáo, cùng tên (cần LibreOffice).")] = False,
) -> None:
    """Lập báo cáo cho nhiều đơn vị một lần, kèm bảng xếp hạng và báo cáo tổng hợp.

    Mỗi sổ Excel thành một báo cáo cùng tên trong THƯ_MỤC.

    Thêm tong-hop.xlsx (bảng tổng hợp, xếp hạng) và tong-hop.docx (báo cáo tổng hợp).
    """
    from decimal import Decimal

    from ..batch import InfoError, default_jobs, read_info, run_batch
    from ..summary.results import UnitResult
    from ..vn import format_number, format_score

    loaded = _load_rules(rules)
    if outdir.exists() and not outdir.is_dir():
        raise _usage_error(f"{outdir} đã có và không phải thư mục.")
    blob = None
    if template is not None:
        try:
            blob = template.read_bytes()
        except OSError as exc:
            raise _usage_error(f"không đọc được mẫu báo cáo {template}: "
                               f"{exc.strerror or exc}.") from None
    no_pdf = ""
    if pdf:
        from ..render.pdf import INSTALL_HINT, find_soffice

        if find_soffice() is None:  # the reports are still written; the run then fails
            no_pdf = f"không tìm thấy LibreOffice (lệnh soffice) để ghi bản PDF. {INSTALL_HINT}"
            pdf = False
    header = None
    if info is not None:
        try:
            header = read_info(info, loaded)
        except InfoError as exc:
            raise _usage_error(str(exc)) from None

    from rich.console import Console

    console = Console(highlight=False)
    fancy = console.is_terminal
    total = count = 0
    progress = None
    bar = None

    def started(n: int) -> None:
        nonlocal progress, bar, total
        total = n
        if fancy and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            progress = Progress(TextColumn("Đang lập báo cáo"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(),
                                TextColumn("còn"), TimeRemainingColumn(), console=console)
            progress.start()
            bar = progress.add_task("", total=total)

    def one(result: UnitResult) -> None:
        nonlocal count
        count += 1
        if progress is not None and bar is not None:
            progress.advance(bar)
            return
        head = f"[{count:>{len(str(total))}}/{total}]"
        if result.ok:
            line = (f"{head} ĐÃ LẬP  {result.source} → {result.output} "
                    f"({format_score(result.total)} điểm, {result.rating})")
            if result.n_warnings:
                line += f", {result.n_warnings} cảnh báo"
        else:
            line = f"{head} LỖI     {result.source} — {result.n_errors} lỗi"
        typer.echo(line)

    try:
        done = run_batch(inputs, outdir, rules=loaded, jobs=jobs or default_jobs(),
                         template=blob, pdf=pdf, info=header, on_start=started,
                         on_result=one)
    except OSError as exc:
        typer.echo(f"Lỗi: không ghi được vào {outdir}: {exc.strerror or exc}.", err=True)
        raise typer.Exit(1) from None
    finally:
        if progress is not None:
            progress.stop()
    for folder in done.empty_folders:
        typer.echo(f"Cảnh báo: thư mục {folder} không có sổ tính (.xlsx, .xls, .ods) nào.",
                   err=True)
    for warning in done.summary_warnings:
        typer.echo(f"Cảnh báo: {warning}", err=True)
    if not done.units:
        raise _usage_error("không tìm thấy sổ tính (.xlsx, .xls, .ods) nào để lập báo "
                           "cáo.")
    failed = done.failed
    if failed:
        typer.echo("")
        typer.echo(f"Đơn vị chưa lập được báo cáo ({len(failed)}):")
        for u in failed:
            typer.echo(f"  {u.source}: {u.n_errors} lỗi")
            for message in u.errors[:3]:
                typer.echo(f"    - {message}")
            if u.n_errors > 3:
                typer.echo(f"    … và {u.n_errors - 3} lỗi khác (xem {done.summary_xlsx}).")
    if done.pdf_failed:
        typer.echo("")
        typer.echo(f"Báo cáo chưa có bản PDF ({len(done.pdf_failed)}):")
        for u in done.pdf_failed:
            typer.echo(f"  {u.output}: {u.pdf_error}")
    if no_pdf:
        typer.echo(f"Lỗi: {no_pdf}", err=True)
    typer.echo("")
    typer.echo(f"Bảng tổng hợp: {done.summary_xlsx}")
    typer.echo(f"Báo cáo tổng hợp: {done.summary_docx}")
    seconds = format_number(Decimal(repr(round(done.elapsed, 1))), 1)
    typer.echo(f"Xong: {len(done.built)} báo cáo đã lập, {len(failed)} đơn vị lỗi, "
               f"{done.n_warnings} cảnh báo; {seconds} giây ({done.jobs} tiến trình).")
    raise typer.Exit(1 if failed or done.pdf_failed or no_pdf else 0)


template_app = typer.Typer(
    help="Mẫu báo cáo Word: lấy mẫu mặc định để sửa, kiểm tra mẫu đã sửa.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(template_app, name="template")

TemplatePathArg = Annotated[Path, typer.Argument(
    help="Tệp mẫu báo cáo (.docx).", show_default=False, metavar="MẪU.docx")]


@template_app.command("export")
def template_export(path: TemplatePathArg) -> None:
    """Ghi mẫu báo cáo mặc định ra tệp .docx để sửa lời văn trong Word hoặc LibreOffice."""
    from ..files import write_atomic
    from ..render.report import default_template

    _check_output(path, ".docx", "tệp mẫu")
    blob = default_template()
    try:
        write_atomic(path, lambda fh: fh.write(blob))
    except OSError as exc:
        typer.echo(f"Lỗi: không ghi được {path}: {exc.strerror or exc}.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã ghi mẫu báo cáo mặc định: {path}")
    typer.echo(f"Sửa xong, kiểm tra bằng: baocao template check {path}")


@template_app.command("check")
def template_check(path: TemplatePathArg) -> None:
    """Liệt kê biến và bộ lọc mẫu dùng; báo biến lạ và lỗi cú pháp (mã thoát 1 nếu có)."""
    from ..render.check import TemplateFileError, check_template
    from ..render.report import TEMPLATE_VARIABLES
    from ..render.sandbox import FILTERS

    if not path.is_file():
        raise _usage_error(f"không có tệp mẫu {path}.")
    try:
        result = check_template(path.read_bytes())
    except TemplateFileError as exc:
        typer.echo(f"Lỗi: {path}: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"Lỗi: không đọc được {path}: {exc.strerror or exc}.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Mẫu {path}:")
    typer.echo(f"Biến mẫu dùng ({len(result.variables)}):")
    for name in sorted(result.variables):
        typer.echo(f"  {name}")
    typer.echo(f"Bộ lọc mẫu dùng ({len(result.filters)}):")
    for name in sorted(result.filters):
        typer.echo(f"  {name}")
    if result.ok:
        typer.echo("Mẫu hợp lệ: mọi biến và bộ lọc đều có trong báo cáo.")
        return
    for problem in result.problems:
        typer.echo(f"Lỗi: {path}, {problem.part}: {problem.message}", err=True)
    typer.echo(f"Mẫu có {len(result.problems)} lỗi. Biến báo cáo cung cấp: "
               f"{', '.join(TEMPLATE_VARIABLES)}. Bộ lọc tiếng Việt: {', '.join(FILTERS)}.",
               err=True)
    raise typer.Exit(1)


_CLICK_MESSAGES = [
    (re.compile(r"Missing argument '([^']+)'\.?"), r"thiếu đối số \1."),
    (re.compile(r"Missing option '([^']+)'\.?"), r"thiếu tùy chọn \1."),
    (re.compile(r"No such option: (\S+)"), r"không có tùy chọn \1."),
    (re.compile(r"No such command '([^']+)'\.?"), r"không có lệnh \1."),
    (re.compile(r"Option '([^']+)' requires an argument\.?"), r"tùy chọn \1 cần một giá trị."),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), r"thừa đối số: \1."),
    (re.compile(r"Invalid value for '([^']+)': (.*)"), r"giá trị không hợp lệ cho \1: \2"),
    (re.compile(r"'(.*)' is not one of (.*)\.?"), r"'\1' không phải một trong \2."),
    (re.compile(r"File '(.*)' is a directory\.?"), r"'\1' là một thư mục, cần một tệp."),
    (re.compile(r"Missing command\.?"), "thiếu tên lệnh."),
    (re.compile(r"Did you mean '([^']+)'\?"), r"Có phải ý bạn là '\1'?"),
]


def _translate(message: str) -> str:
    for pattern, repl in _CLICK_MESSAGES:
        message = pattern.sub(repl, message)
    return message


def _click():
    """The click that typer runs on (recent typer vendors its own copy)."""
    try:
        from typer import _click as click_mod  # type: ignore[attr-defined]
    except ImportError:  # typer releases that depend on click itself
        import click as click_mod
    return click_mod


HELP_OPTION_TEXT = "Hiện hướng dẫn này rồi thoát."


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app and turns usage errors into Vietnamese messages (exit 2)."""
    click = _click()
    exceptions = click.exceptions
    args = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(app)
    if not args or any(a in ("-h", "--help") for a in args):
        _vietnamese_help(click, command)
    try:
        # Without standalone mode click returns the code of `typer.Exit` instead of exiting.
        code = command.main(args=args, prog_name="baocao", standalone_mode=False)
    except exceptions.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx else "")
        return 2
    except exceptions.UsageError as exc:
        typer.echo(f"Lỗi: {_translate(exc.format_message())}", err=True)
        typer.echo("Xem hướng dẫn: baocao --help", err=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("Đã dừng.", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("Đã dừng.", err=True)
        return 130
    except BrokenPipeError:  # output piped into `head` or a closed pager
        return 0
    return code if isinstance(code, int) else 0


def _vietnamese_help(click, command) -> None:
    """Vietnamese wording for the help screen that typer and click print in English."""
    formatting = click.formatting
    original = formatting.HelpFormatter.write_usage

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, "Cách dùng: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage
    commands = [command]
    for cmd in commands:  # grows while walking: sub-groups' commands are appended
        commands.extend(getattr(cmd, "commands", {}).values())
    for cmd in commands:
        ctx = click.Context(cmd, info_name=cmd.name,
                            help_option_names=["-h", "--help"])
        option = cmd.get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
    try:
        from typer import rich_utils
    except ImportError:  # plain click help
        return
    rich_utils.ARGUMENTS_PANEL_TITLE = "Đối số"
    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ABORTED_TEXT = "Đã dừng."


if __name__ == "__main__":
    sys.exit(main())
