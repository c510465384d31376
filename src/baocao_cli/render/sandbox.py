"""The Jinja environment templates render in: sandboxed, autoescaped, strict, with the
Vietnamese filters; and the Vietnamese wording of every way a template can fail.

A template is user input (an office adapts its wording in Word), so nothing in it may
reach Python internals or files, and every failure becomes a message, not a traceback.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import BaocaoError
from ..vn import date_phrase, date_words, format_number, format_score, to_decimal, upper_vn


class TemplateError(BaocaoError):
    """The template could not be rendered; the message is for the user, in Vietnamese."""


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

_MAX_REPEAT = 100_000


def make_env() -> Any:
    """The sandboxed Jinja environment every template renders in.

    Sandboxed (no `__class__`, no attributes starting with `_`, no unsafe methods),
    autoescaped (a value cannot inject WordprocessingML), strict (an unknown name is an
    error, never a blank), without a loader (`{% include %}` cannot read files), and with
    the Vietnamese filters of FILTERS.
    """
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    class Env(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sized = isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple)
            big = any(isinstance(v, int) and abs(v) > _MAX_REPEAT for v in (left, right))
            if operator == "**" and isinstance(right, int) and abs(right) > 100:
                raise SecurityError("phép lũy thừa quá lớn")
            if operator == "*" and sized and big:
                raise SecurityError("phép nhân chuỗi quá lớn")
            return super().call_binop(context, operator, left, right)

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
                compiled = self.compiled_sources[source] = super().from_string(source)
            return compiled

    env = Env(undefined=StrictUndefined, autoescape=True, loader=DictLoader({}))
    env.compiled_sources = {}
    env.filters.update({name: fn for name, (fn, _) in FILTERS.items()})
    return env


_CACHE_SIZE = 16
_shared: dict[str, Any] = {}


def renderer() -> Any:
    """The sandboxed environment, one per process: compiled templates are kept with it."""
    if "env" not in _shared:
        _shared["env"] = make_env()
    return _shared["env"]


def template_error(exc: BaseException, template: bytes | None = None) -> TemplateError:
    """A Jinja (or filter) failure as a TemplateError that says what and where, in Vietnamese."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

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
        where = ""
        if template is not None:
            from .check import locate_syntax_error

            where = locate_syntax_error(template)
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
