"""Click's and Typer's own words in Vietnamese: usage errors and the help screen's scaffolding.

Typer vendors a click without gettext, so its English is in f-strings. Usage errors are
rebuilt here from the exception's fields (the option, the parameter, the value), and only
the messages of parameter types, which carry no fields, are matched by pattern.
"""

from __future__ import annotations

import re
from typing import Any

HELP_OPTION_TEXT = "Hiện hướng dẫn này rồi thoát."
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI_SỐ]..."

# The messages of click's and typer's parameter types (Path, Choice, numbers, ranges).
_TYPE_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$"), r"'\1' không tồn tại."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"),
     r"'\1' là một tệp, cần một thư mục."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"),
     r"'\1' là một thư mục, cần một tệp."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.$"),
     r"không có quyền đọc '\1'."),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not writable\.$"),
     r"không có quyền ghi '\1'."),
    (re.compile(r"^'(.*)' is not a valid (?:integer|int range)\.$"),
     r"'\1' không phải một số nguyên."),
    (re.compile(r"^'(.*)' is not a valid (?:float|float range)\.$"), r"'\1' không phải một số."),
    (re.compile(r"^'(.*)' is not a valid boolean\..*$"), r"'\1' không phải có/không."),
]
_RANGE = re.compile(r"^(.*) is not in the range (.*)\.$")
_CHOICE = re.compile(r"^'(.*)' is not one of (.*)\.$")
_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)\.?$")
_NO_COMMAND = re.compile(r"^No such command '(.*)'\.$")
_REQUIRES = re.compile(r"^Option '(.*)' requires (?:an argument|(\d+) arguments)\.$")
_NO_VALUE = re.compile(r"^Option '(.*)' does not take a value\.$")


def _describe_range(text: str) -> str:
    """`x>=1`, `0<=x<10` as a Vietnamese phrase."""
    words = {">=": "từ {} trở lên", ">": "lớn hơn {}", "<=": "không quá {}", "<": "nhỏ hơn {}"}
    match = re.fullmatch(r"x(>=|>|<=|<)(.+)", text)
    if match:
        return words[match.group(1)].format(match.group(2))
    match = re.fullmatch(r"(.+?)(<=|<)x(<=|<)(.+)", text)
    if match:
        return f"từ {match.group(1)} đến {match.group(4)}"
    return text


def type_message(message: str) -> str:
    """A parameter type's English message in Vietnamese (unchanged if it is not one)."""
    for pattern, repl in _TYPE_MESSAGES:
        if pattern.match(message):
            return pattern.sub(repl, message)
    if match := _RANGE.match(message):
        return f"{match.group(1)} không hợp lệ: cần {_describe_range(match.group(2))}."
    if match := _CHOICE.match(message):
        choices = ", ".join(c.strip().strip("'") for c in match.group(2).split(","))
        return f"'{match.group(1)}' không phải một trong: {choices}."
    return message


def _hint(param: Any) -> str:
    """How the user typed the parameter: `-o/--output`, or the argument's name."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return "/".join(param.opts)
    return param.metavar or (param.name or "").upper()


def _sentence(text: str) -> str:
    """One final full stop, never two."""
    text = text.rstrip()
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def usage_message(exc: Any, exceptions: Any) -> str:
    """A click usage error as one Vietnamese sentence."""
    if isinstance(exc, exceptions.NoSuchOption):
        text = f"không có tùy chọn {exc.option_name}."
        if exc.possibilities:
            text += f" Có phải ý bạn là: {', '.join(sorted(exc.possibilities))}?"
        return text
    if isinstance(exc, exceptions.MissingParameter):
        kind = "tùy chọn" if exc.param_type == "option" or getattr(
            exc.param, "param_type_name", "") == "option" else "đối số"
        return f"thiếu {kind} {_hint(exc.param)}."
    if isinstance(exc, exceptions.BadParameter):
        hint = _hint(exc.param)
        where = f" cho {hint}" if hint else ""
        return _sentence(f"giá trị không hợp lệ{where}: {type_message(exc.message)}")
    message = exc.message
    if match := _EXTRA.match(message):
        return f"thừa đối số: {match.group(1)}."
    if match := _NO_COMMAND.match(message):
        return f"không có lệnh '{match.group(1)}'."
    if message.startswith("Missing command"):
        return "thiếu tên lệnh."
    if match := _REQUIRES.match(message):
        count = f"{match.group(2)} giá trị" if match.group(2) else "một giá trị"
        return f"tùy chọn {match.group(1)} cần {count}."
    if match := _NO_VALUE.match(message):
        return f"tùy chọn {match.group(1)} không nhận giá trị."
    return _sentence(type_message(message))


def see_help(command_path: str) -> str:
    return f"Xem hướng dẫn: {command_path or 'baocao'} --help"


def help_hint(exc: Any, command: Any, args: list[str]) -> str:
    """Where to read more: the help of the (sub)command the error belongs to.

    The parser's errors carry no context, so the command is then found from the words typed.
    """
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and ctx.command is not command and ctx.command_path:
        return see_help(ctx.command_path)
    path = ["baocao"]
    for word in args:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        path.append(word)
        command = sub
    return see_help(" ".join(path))


def vietnamese_help(click: Any, command: Any) -> None:
    """Vietnamese wording for the help screen that typer and click print in English."""
    formatting = click.formatting
    if not getattr(formatting.HelpFormatter.write_usage, "_vietnamese", False):
        original = formatting.HelpFormatter.write_usage

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            original(self, prog, args, "Cách dùng: " if prefix is None else prefix)

        write_usage._vietnamese = True  # type: ignore[attr-defined]
        formatting.HelpFormatter.write_usage = write_usage
    commands = [command]
    for cmd in commands:  # grows while walking: sub-groups' commands are appended
        commands.extend(getattr(cmd, "commands", {}).values())
    for cmd in commands:
        cmd.options_metavar = OPTIONS_METAVAR
        if hasattr(cmd, "subcommand_metavar"):
            cmd.subcommand_metavar = SUBCOMMAND_METAVAR
        ctx = click.Context(cmd, info_name=cmd.name, help_option_names=["-h", "--help"])
        option = cmd.get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        for param in cmd.params:
            if getattr(param, "param_type_name", "") == "argument":
                # typer prints `<path>` beside a named argument; the name says it all
                param.type.get_metavar = lambda param, ctx: ""
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
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.DEPRECATED_STRING = "(không còn dùng) "
    rich_utils.RANGE_STRING = ""  # the option's help says the range in words
    rich_utils.ABORTED_TEXT = "Đã dừng."
    rich_utils.RICH_HELP = "Xem hướng dẫn: [blue]'{command_path} {help_option}'[/]."
