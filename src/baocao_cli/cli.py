"""The `baocao` command: argument handling and printing only; the work is in `api`."""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__

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
    from .rules import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(2) from None


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"Lỗi: {message}", err=True)
    return typer.Exit(2)


@app.command()
def build(
    data: Annotated[Path, typer.Argument(help="Sổ Excel (.xlsx) của đơn vị.",
                                         show_default=False, metavar="SỔ.xlsx")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Tệp báo cáo (.docx) sẽ ghi; mặc định cùng tên, cạnh sổ Excel.",
        dir_okay=False, metavar="TỆP.docx")] = None,
    rules: RulesOpt = None,
) -> None:
    """Kiểm tra sổ Excel rồi lập báo cáo Word (.docx); sổ có lỗi thì không ghi gì."""
    from .api import build as build_report
    from .api import default_output
    from .output import count_line, issues_text
    from .render import TemplateError
    from .vn import format_score

    loaded = _load_rules(rules)
    out = output if output is not None else default_output(data)
    if out.suffix.lower() != ".docx":
        raise _usage_error(f"tệp kết quả {out} phải có đuôi .docx.")
    if out.resolve() == data.resolve():
        raise _usage_error("tệp kết quả trùng với sổ Excel đầu vào.")
    if not out.parent.is_dir():
        raise _usage_error(f"thư mục {out.parent} không tồn tại. Hãy tạo thư mục trước.")
    try:
        built = build_report(data, out, loaded)
    except TemplateError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
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


def _expand(inputs: list[Path]) -> tuple[list[Path], list[tuple[Path, object]]]:
    """Workbooks named or found in folders; a folder without any is an issue of its own."""
    from .issues import make

    files: list[Path] = []
    empty: list[tuple[Path, object]] = []
    for item in inputs:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*.xlsx")
                           if not p.name.startswith(("~$", ".")) and p.is_file())
            if not found:
                empty.append((item, make("E008", sheet=str(item))))
            files.extend(found)
        else:
            files.append(item)
    return files, empty


@app.command()
def validate(
    inputs: Annotated[list[Path], typer.Argument(
        help="Sổ Excel (.xlsx) hoặc thư mục chứa các sổ cần kiểm tra.", show_default=False,
        metavar="SỔ_HOẶC_THƯ_MỤC...")],
    fmt: Annotated[Format, typer.Option("--format", help="Cách in kết quả: text (cho người "
                                        "đọc) hoặc json (cho máy).")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Coi cảnh báo như lỗi.")] = False,
    rules: RulesOpt = None,
) -> None:
    """Kiểm tra sổ Excel trước khi nộp: chỉ rõ từng lỗi ở trang tính và ô nào."""
    from .api import check
    from .output import count_line, dumps, file_json, issues_text
    from .vn import format_score

    loaded = _load_rules(rules)
    files, empty = _expand(inputs)
    results = []
    for path in files:
        checked = check(path, loaded)
        extra = {}
        if checked.scores is not None:
            extra = {"total": format_score(checked.scores.total),
                     "rating": checked.scores.rating}
        results.append((path, checked.issues, extra))
    for path, issue in empty:
        results.append((path, [issue], {}))

    def failed(issues) -> bool:
        return any(i.is_error for i in issues) or (strict and bool(issues))

    any_failed = any(failed(issues) for _, issues, _ in results)
    if fmt is Format.json:
        n_err = sum(1 for _, iss, _ in results for i in iss if i.is_error)
        n_warn = sum(1 for _, iss, _ in results for i in iss if not i.is_error)
        typer.echo(dumps({
            "valid": not any_failed,
            "strict": strict,
            "files": [file_json(p, iss, extra) for p, iss, extra in results],
            "summary": {"files": len(results), "errors": n_err, "warnings": n_warn},
        }))
    else:
        for path, issues, extra in results:
            status = "KHÔNG HỢP LỆ" if failed(issues) else "hợp lệ"
            head = f"{path}: {status}"
            if extra:
                head += f" (tổng {extra['total']} điểm, xếp loại {extra['rating']})"
            typer.echo(head)
            for line in issues_text(issues):
                typer.echo(line)
        if len(results) > 1:
            typer.echo("")
            typer.echo("Tóm tắt:")
            for path, issues, _ in results:
                e = sum(1 for i in issues if i.is_error)
                typer.echo(f"  {'LỖI' if failed(issues) else 'ĐẠT'}  {path} — "
                           f"{count_line(e, len(issues) - e)}")
        n_err = sum(1 for _, iss, _ in results for i in iss if i.is_error)
        n_all = sum(len(iss) for _, iss, _ in results)
        typer.echo(f"Tổng cộng: {len(results)} tệp, {count_line(n_err, n_all - n_err)}")
    raise typer.Exit(1 if any_failed else 0)


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
    from .rules import DEFAULT_RULES
    from .starter import StarterExists, write_example, write_starter

    loaded = _load_rules(rules)
    if path.suffix.lower() != ".xlsx":
        raise _usage_error(f"tệp {path} phải có đuôi .xlsx.")
    if path.is_dir():
        raise _usage_error(f"{path} là một thư mục. Cần tên một tệp .xlsx.")
    if not path.parent.is_dir():
        raise _usage_error(f"thư mục {path.parent} không tồn tại. Hãy tạo thư mục trước.")
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
    option = "" if loaded.id == DEFAULT_RULES else f" --rules {rules}"
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
    from .rules import rules_table

    typer.echo(rules_table(_load_rules(rules)))


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
    except exceptions.Exit as exc:
        return exc.exit_code
    except exceptions.Abort:
        typer.echo("Đã dừng.", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("Đã dừng.", err=True)
        return 130
    return code if isinstance(code, int) else 0


def _vietnamese_help(click, command) -> None:
    """Vietnamese wording for the help screen that typer and click print in English."""
    formatting = click.formatting
    original = formatting.HelpFormatter.write_usage

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, "Cách dùng: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage
    commands = [command, *getattr(command, "commands", {}).values()]
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
