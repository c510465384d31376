"""The Jinja environment templates render in: sandboxed, autoescaped, strict, with the
Vietnamese filters; and the Vietnamese wording of every way a template can fail.

A template is user input (an office adapts its wording in Word), so nothing in it may
reach Python internals or files, and every failure becomes a message, not a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import re
from decimal import Decimal
from typing import Any

from ..errors import BaocaoError
from ..vn import date_phrase, date_words, format_number, format_score, to_decimal, upper_vn


class TemplateError(BaocaoError):
    """The template could not be rendered; the message is for the user, in Vietnamese."""


class RenderLimit(Exception):
    """A rendering went past a bound of time or size (see _MAX_TEXT); in Vietnamese."""


def _number(value: Any, where: str) -> Decimal:
    from ..vn import parse_number

    if isinstance(value, bool):
        raise ValueError(f"bộ lọc {where}: cần một số, nhận được {value!r}")
    if isinstance(value, int | float | Decimal):
        return to_decimal(value) if isinstance(value, float) else Decimal(value)
    parsed = parse_number(str(value))
    if parsed.value is None:
        raise ValueError(f"bộ lọc {where}: cần một số, nhận được {str(value)!r}")
    return parsed.value


def f_so(value: Any, places: int = 3) -> str:
    """`8800` → `8.800`, `143.63` → `143,63`: dấu chấm ngăn nghìn, dấu phẩy thập phân."""
    if value is None or value == "":
        return ""
    return format_number(_number(value, "so"), int(places))


def f_diem(value: Any) -> str:
    """Điểm, tối đa 2 chữ số thập phân: `89.75` → `89,75`."""
    if value is None or value == "":
        return ""
    return format_score(_number(value, "diem"))


def f_tien(value: Any, don_vi: str = "triệu đồng") -> str:
    """Số tiền như đã nhập kèm đơn vị: `722.7` → `722,7 triệu đồng`."""
    if value is None or value == "":
        return ""
    return f"{format_number(_number(value, 'tien'))} {don_vi}".strip()


def f_met(value: Any) -> str:
    """Số mét tài liệu: `143.63` → `143,63 mét`."""
    if value is None or value == "":
        return ""
    return f"{format_number(_number(value, 'met'))} mét"


def f_ngay(value: Any, dia_danh: str = "") -> str:
    """Ngày theo Nghị định 30/2020: `24/11/2021` → `ngày 24 tháng 11 năm 2021`;
    ngày nhỏ hơn 10 và tháng 1, 2 có số 0 đứng trước; với địa danh:
    `Hà Tĩnh, ngày 05 tháng 01 năm 2022`."""
    import datetime as dt

    from ..vn import parse_date

    if isinstance(value, dt.datetime):
        date: dt.date | None = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        text = str(value).strip()
        date = parse_date(text) if text else None
        if text and date is None:
            raise ValueError(f"bộ lọc ngay: {text!r} không phải ngày (cần dạng 24/11/2021)")
    if dia_danh:
        return date_phrase(dia_danh, date)
    return date_words(date)


def f_hoa(value: Any) -> str:
    """Chữ in hoa tiếng Việt: `Sở Nội vụ` → `SỞ NỘI VỤ`."""
    return upper_vn(str(value))


FILTERS: dict[str, tuple[Any, str]] = {
    "so": (f_so, "Số kiểu Việt Nam: `{{ 8800 | so }}` → `8.800`, `{{ '143.63' | so }}` → "
                 "`143,63`; tối đa 3 chữ số thập phân (`so(2)` cho 2), bỏ số 0 thừa."),
    "diem": (f_diem, "Điểm, tối đa 2 chữ số thập phân: `{{ 89.75 | diem }}` → `89,75`."),
    "tien": (f_tien, "Số tiền kèm đơn vị (mặc định `triệu đồng`): `{{ 722.7 | tien }}` → "
                     "`722,7 triệu đồng`; `tien('đồng')` cho đơn vị khác."),
    "met": (f_met, "Số mét tài liệu: `{{ 143.63 | met }}` → `143,63 mét`."),
    "ngay": (f_ngay, "Ngày theo Nghị định 30/2020: `{{ '5/1/2022' | ngay }}` → `ngày 05 tháng "
                     "01 năm 2022`; `ngay('Hà Tĩnh')` → `Hà Tĩnh, ngày 05 tháng 01 năm 2022`."),
    "hoa": (f_hoa, "Chữ in hoa tiếng Việt: `{{ ten_co_quan | hoa }}`."),
}

# Bounds of one rendering: a template is untrusted, and Jinja alone lets a few tags ask
# for gigabytes (`'x' * 100000 * 100000`, `'x'|center(10**9)`) or hours (loops nested on
# `range(100000)`). Every value a template makes is held under _MAX_TEXT characters,
# predicted before it is made; all loops of a rendering share _MAX_STEPS iterations and
# _MAX_SECONDS; the rendered output stays under _MAX_OUTPUT characters. A report's values
# are a few KB and its loops a few hundred steps: far inside every bound.
_MAX_TEXT = 10_000_000
_MAX_OUTPUT = 50_000_000
_MAX_STEPS = 1_000_000
_MAX_SECONDS = 10.0
_state: Any = None  # contextvars.ContextVar of [deadline, steps left] for the rendering


def _size(value: Any) -> int:
    """Characters (or items) `value` holds, as a bound on what a call makes of it."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple | range | dict | set | frozenset):
        return len(value) + sum(len(v) for v in value if isinstance(v, str)) \
            if not isinstance(value, range) else len(value)
    return 0


def _too_big(what: str) -> Exception:
    return RenderLimit(f"{what} tạo ra giá trị quá lớn (giới hạn {_MAX_TEXT:,} ký tự)"
                         .replace(",", "."))


_WIDTH = re.compile(r"\d+")


def _widths(text: str) -> int:
    """The largest number in a format string: `%1000000000s`, `{:>1000000000}`."""
    return max((int(m) for m in _WIDTH.findall(text[:10_000]) if len(m) < 12), default=0) \
        + (10 ** 12 if re.search(r"\d{12}", text[:10_000]) else 0)


def _predict(args: tuple[Any, ...], kwargs: dict[str, Any], fmt: bool = False) -> int:
    """A bound on the size of what a filter or method makes of `args` (the first the
    value): the value times (1 + everything else), a number counting as that many."""
    if not args:
        return 0
    rest = 1
    for v in (*args[1:], *kwargs.values()):
        rest += v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else _size(v)
    bound = (_size(args[0]) + 1) * rest
    if fmt and isinstance(args[0], str):
        bound += _widths(args[0])
    return bound


def _bounded_filter(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        plain = tuple(a for a in args if not _is_jinja_object(a))
        if _predict(plain, kwargs, fmt=name == "format") > _MAX_TEXT:
            raise _too_big(f"bộ lọc {name}")
        return fn(*args, **kwargs)

    return call


def _is_jinja_object(value: Any) -> bool:
    """The context, eval context or environment Jinja passes a filter first (all three
    carry an `environment` or `filters`): not the value being filtered."""
    return hasattr(value, "environment") or hasattr(value, "filters")


def steps(iterable: Any) -> Any:
    """Every `{% for %}` of a template iterates through this (see `guarded`): the
    rendering's shared step and time budget."""
    import time

    state = _state.get() if _state is not None else None
    if state is None:
        state = [time.monotonic() + _MAX_SECONDS, _MAX_STEPS]
    for item in iterable:
        state[1] -= 1
        if state[1] < 0:
            raise RenderLimit(f"vòng lặp quá dài (quá {_MAX_STEPS:,} bước)".replace(",", "."))
        if state[1] % 1024 == 0 and time.monotonic() > state[0]:
            raise RenderLimit(f"điền mẫu quá {_MAX_SECONDS:g} giây")
        yield item


def joined(*items: Any) -> str:
    """`a ~ b` (see `guarded`), its length bounded before it is made."""
    from markupsafe import Markup, escape, soft_str

    if sum(_size(v) if isinstance(v, str) else 0 for v in items) > _MAX_TEXT:
        raise _too_big("phép nối chuỗi")
    if any(isinstance(v, Markup) for v in items):
        return Markup("").join(escape(v) for v in items)
    return "".join(soft_str(v) for v in items)


def guarded(tree: Any) -> Any:
    """The parsed template with every loop counted (`steps`) and every `~` bounded
    (`joined`), rewritten in place before it is compiled."""
    from jinja2 import nodes
    from jinja2.visitor import NodeTransformer

    class Guard(NodeTransformer):
        def visit_For(self, node: Any) -> Any:
            self.generic_visit(node)
            node.iter = nodes.Call(nodes.Name("baocao_steps", "load", lineno=node.lineno),
                                   [node.iter], [], None, None, lineno=node.lineno)
            return node

        def visit_Concat(self, node: Any) -> Any:
            self.generic_visit(node)
            return nodes.Call(nodes.Name("baocao_joined", "load", lineno=node.lineno),
                              node.nodes, [], None, None, lineno=node.lineno)

    return Guard().visit(tree)


@contextlib.contextmanager
def budget() -> Any:
    """One rendering's step and time budget, shared by all its loops."""
    import contextvars
    import time

    global _state
    if _state is None:
        _state = contextvars.ContextVar("baocao_render_budget", default=None)
    token = _state.set([time.monotonic() + _MAX_SECONDS, _MAX_STEPS])
    try:
        yield
    finally:
        _state.reset(token)


def render_bounded(compiled: Any, context: dict[str, Any]) -> str:
    """`compiled.render(context)`, its output held under _MAX_OUTPUT characters and the
    rendering's time (see `budget`) checked between chunks too, not only in loops."""
    import time

    state = _state.get() if _state is not None else None
    deadline = state[0] if state is not None else time.monotonic() + _MAX_SECONDS
    out: list[str] = []
    size = 0
    for chunk in compiled.root_render_func(compiled.new_context(context)):
        size += len(chunk)
        if size > _MAX_OUTPUT:
            raise RenderLimit("mẫu tạo ra văn bản quá lớn")
        out.append(chunk)
        if len(out) % 4096 == 0 and time.monotonic() > deadline:
            raise RenderLimit(f"điền mẫu quá {_MAX_SECONDS:g} giây")
    return "".join(out)


def make_env() -> Any:
    """The sandboxed Jinja environment every template renders in.

    Sandboxed (no `__class__`, no attributes starting with `_`, no unsafe methods),
    autoescaped (a value cannot inject WordprocessingML), strict (an unknown name is an
    error, never a blank), without a loader (`{% include %}` cannot read files), with the
    Vietnamese filters of FILTERS, and bounded (see _MAX_TEXT): every operator, filter and
    method that could make a huge value is measured first.
    """
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    class Env(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > 100:
                raise SecurityError("phép lũy thừa quá lớn")
            if operator == "*":
                for a, b in ((left, right), (right, left)):
                    if _size(a) and isinstance(b, int) and _size(a) * b > _MAX_TEXT:
                        raise _too_big("phép nhân chuỗi")
            elif operator == "+" and _size(left) + _size(right) > _MAX_TEXT:
                raise _too_big("phép cộng chuỗi")
            elif operator == "%" and isinstance(left, str) and (
                    _predict((left, right), {}, fmt=True) > _MAX_TEXT):
                raise _too_big("phép định dạng chuỗi")
            return super().call_binop(context, operator, left, right)

        def getattr(self, obj: Any, attribute: str) -> Any:
            # `dong.ten` on a plain dict: its key, as the sandbox would find it after the
            # attribute lookup failed (a dict has no attribute but the class's), without
            # raising and catching that failure once per cell of a 5,000-row table.
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            # str.format comes wrapped by the sandbox (its `__wrapped__` is the method)
            owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
            if isinstance(owner, str | list | tuple | dict) and _predict(
                    (owner, *args), kwargs, fmt=True) > _MAX_TEXT:
                raise _too_big(f"lệnh {getattr(__obj, '__name__', '')}")
            return super().call(__context, __obj, *args, **kwargs)

        def from_string(self, source: Any, globals: Any = None,
                        template_class: Any = None) -> Any:
            # A batch renders the same document properties hundreds of times: the compiled
            # template is kept per source.
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            compiled = self.compiled_sources.get(source)
            if compiled is None:
                if len(self.compiled_sources) >= _CACHE_SIZE:
                    self.compiled_sources.clear()
                compiled = self.compiled_sources[source] = super().from_string(
                    guarded(self.parse(source)))
            return compiled

    env = Env(undefined=StrictUndefined, autoescape=True, loader=DictLoader({}))
    env.compiled_sources = {}
    env.filters = {name: _bounded_filter(name, fn) for name, fn in env.filters.items()}
    env.filters.update({name: fn for name, (fn, _) in FILTERS.items()})
    env.globals.update(baocao_steps=steps, baocao_joined=joined)
    return env


_CACHE_SIZE = 16
_DICT_ATTRIBUTES = frozenset(dir(dict))
_shared: dict[str, Any] = {}


def renderer() -> Any:
    """The sandboxed environment, one per process: compiled templates are kept with it."""
    if "env" not in _shared:
        _shared["env"] = make_env()
    return _shared["env"]


def template_error(exc: BaseException, where: str = "") -> TemplateError:
    """A Jinja (or filter) failure as a TemplateError that says what and where, in Vietnamese."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    if isinstance(exc, RenderLimit):
        return TemplateError(
            f"mẫu báo cáo bị dừng khi điền: {exc}. Một mẫu báo cáo không cần tới mức này; "
            "kiểm tra các vòng lặp và phép tính trong mẫu.")
    if isinstance(exc, SecurityError):
        return TemplateError(
            "mẫu báo cáo bị từ chối: mẫu tìm cách truy cập phần bên trong của Python hoặc làm "
            f"việc không được phép ({exc}). Mẫu chỉ được dùng các biến của báo cáo và các bộ "
            "lọc đã liệt kê (xem `baocao template check`).")
    if isinstance(exc, UndefinedError):
        name = _undefined_name(str(exc))
        return TemplateError(
            f"mẫu báo cáo dùng biến {name} mà báo cáo không có ({exc}). Sửa tên biến trong mẫu; "
            "danh sách biến hợp lệ: `baocao template check MẪU.docx` hoặc "
            "docs/template-variables.md.")
    if isinstance(exc, TemplateSyntaxError):
        return TemplateError(
            f"mẫu báo cáo sai cú pháp Jinja: {exc.message}{where}. Kiểm tra các cặp "
            "{{ }}, {% %} và các lệnh if/for có đủ endif/endfor.")
    if isinstance(exc, TemplateNotFound):
        return TemplateError(
            f"mẫu báo cáo tìm cách nạp tệp {exc.name}: mẫu không được đọc tệp nào khác.")
    return TemplateError(f"không điền được mẫu báo cáo: {exc}.")


def _undefined_name(message: str) -> str:
    import re

    m = re.search(r"'([^']+)' is undefined", message)
    if m:
        return f"'{m.group(1)}'"
    m = re.search(r"has no attribute '([^']+)'", message)
    return f"'{m.group(1)}'" if m else "chưa định nghĩa"
