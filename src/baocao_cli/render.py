"""Report + scores → the Word document, through the docxtpl template.

All wording that depends on data (numbering that closes up, Vietnamese number and date
forms, the recipients' punctuation) is prepared here as plain strings, so a template
holds only structure and can be edited in Word without knowing Python.
"""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from .contract import GROUPS
from .files import write_atomic
from .model import ArrangementRow, Report, ScoreItem
from .rules import Rules
from .score import ZERO, Scores, item_max, item_score
from .vn import (
    date_phrase,
    date_words,
    fold,
    format_number,
    format_score,
    number_code,
    to_decimal,
    upper_vn,
)

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
TEMPLATE_NAME = "bao-cao.docx"
KIND = "BC"  # Báo cáo, Phụ lục III of ND 30/2020


class TemplateError(Exception):
    """The template could not be rendered; the message is for the user, in Vietnamese."""


def default_template() -> bytes:
    """The template shipped in the package (a wheel carries it under baocao_cli/templates)."""
    res = resources.files("baocao_cli").joinpath("templates", TEMPLATE_NAME)
    if res.is_file():
        return res.read_bytes()
    # Running from a source checkout without installing: the repository's templates/.
    return (Path(__file__).resolve().parents[2] / "templates" / TEMPLATE_NAME).read_bytes()


def _recipients(items: list[str]) -> list[str]:
    """`- X;` for each, the `Lưu:` line last and ending in `.`, whatever the user typed."""
    bare = [r.strip().lstrip("-+•").strip().rstrip(";,.").strip() for r in items]
    bare = [r for r in bare if r]
    keep = [r for r in bare if not fold(r).startswith("luu")]
    luu = [r for r in bare if fold(r).startswith("luu")]
    ordered = keep + luu
    return [f"- {r}{'.' if i == len(ordered) - 1 else ';'}" for i, r in enumerate(ordered)]


def _addressees(report: Report) -> str:
    """Whom the closing sentence reports to: `kinh_gui`, else recipients marked (báo cáo)."""
    if report.info.kinh_gui:
        return report.info.kinh_gui.rstrip(";.")
    marked = []
    for r in report.recipients:
        text = r.strip().lstrip("-+•").strip().rstrip(";,.").strip()
        if text.lower().endswith("(báo cáo)"):
            marked.append(text[: -len("(báo cáo)")].strip())
    return ", ".join(marked)


def _join_bases(bases: list[str]) -> str:
    if len(bases) == 1:
        return bases[0]
    return "; ".join(bases[:-1]) + " và " + bases[-1]


def _period(report: Report) -> str:
    if report.info.giai_doan:
        a, b = report.info.giai_doan
        return f"{a}-{b}"
    years = [r.year for r in report.arrangement]
    if not years:
        return ""
    return str(min(years)) if min(years) == max(years) else f"{min(years)}-{max(years)}"


def default_summary(report: Report) -> str:
    text = f"Kết quả thực hiện công tác văn thư, lưu trữ năm {report.info.nam}"
    if report.arrangement:
        text += " và kết quả thực hiện kế hoạch chỉnh lý tài liệu"
        if period := _period(report):
            text += f" giai đoạn {period}"
    return text


def _document_lines(report: Report) -> list[str]:
    lines = []
    for key, label in GROUPS:
        docs = [d for d in report.documents if d.group == key]
        if not docs:
            continue
        total = sum(d.count for d in docs)
        parts = "; ".join(f"{format_number(d.count)} {d.kind}" for d in docs)
        lines.append(f"- {label}: tổng số {format_number(total)} văn bản, gồm: {parts}.")
    return lines


def _score_rows(report: Report, scores: Scores, rules: Rules) -> tuple[list[dict], str]:
    rows: list[dict[str, Any]] = []

    def add_items(items: list[ScoreItem]) -> None:
        for item in items:
            rows.append({
                "stt": item.stt, "tieu_chi": item.text,
                "toi_da": format_score(item_max(item)),
                "tu_cham": format_score(item_score(item)),
                "ghi_chu": item.note, "dam": bool(item.children),
            })
            add_items(item.children)

    for ps in scores.parts:
        part = report.part(ps.code)
        maximum = ps.max if ps.max is not None else (part.max if part else None)
        rows.append({
            "stt": ps.code, "tieu_chi": (part.text if part and part.text else ps.name),
            "toi_da": format_score(maximum), "tu_cham": format_score(ps.score),
            "ghi_chu": part.note if part else "", "dam": True,
        })
        if part is not None:
            add_items(part.items)
    total_max = sum((p.max for p in scores.scored if p.max is not None), ZERO)
    return rows, format_score(total_max)


def _arrangement(rows: list[ArrangementRow]) -> tuple[list[dict], dict, str]:
    fields = ("planned", "done", "fund_province", "fund_unit", "handed_over", "backlog")
    names = ("ke_hoach", "da_chinh_ly", "kp_tinh", "kp_don_vi", "nop_luu", "ton_dong")
    table = []
    for r in sorted(rows, key=lambda r: r.year):
        entry = {n: format_number(getattr(r, f)) for f, n in zip(fields, names, strict=True)}
        entry.update(nam=str(r.year), ghi_chu=r.note)
        table.append(entry)
    totals: dict[str, str] = {}
    for f, n in zip(fields, names, strict=True):
        values = [getattr(r, f) for r in rows if getattr(r, f) is not None]
        totals[n] = format_number(sum(values, ZERO)) if values else ""
    planned = sum((r.planned for r in rows if r.planned is not None), ZERO)
    done = sum((r.done for r in rows if r.done is not None), ZERO)
    share = ""
    if planned > 0:
        pct = format_number(done * 100 / planned, 2)
        share = (f"Tổng số tài liệu đã chỉnh lý {format_number(done)}/{format_number(planned)} "
                 f"mét theo kế hoạch, đạt {pct}%.")
    return table, totals, share


# Advance widths of Times New Roman Bold (= Liberation Serif Bold, metric-compatible),
# printable ASCII 32..126, in 1/1000 em. Vietnamese letters are measured by their base
# letter (the marks sit above or below it and add no width).
_BOLD_WIDTHS = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722,
    667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722,
    556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444,
    556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333,
    556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
)
_PT_CM = 2.54 / 72
# Text width (cm) inside the cells and on the page, as laid out by scripts/make_template.py.
AGENCY_COLUMN_CM = 6.75 - 2 * 0.1
PAGE_TEXT_CM = 16.5
RULE_SHARE = 0.4  # of the longest line: inside the decree's 1/3 to 1/2, with margin


def text_width_cm(text: str, size_pt: float) -> float:
    """Width of `text` set in Times New Roman Bold at `size_pt`, in centimetres."""
    units = 0
    for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")):
        if unicodedata.combining(ch):
            continue
        code = ord(ch)
        units += _BOLD_WIDTHS[code - 32] if 32 <= code < 127 else 722
    return units / 1000 * size_pt * _PT_CM


def wrapped_lines(text: str, width_cm: float, size_pt: float) -> list[str]:
    """The lines a word processor makes of `text` in a column `width_cm` wide (greedy)."""
    lines: list[str] = []
    for para in text.splitlines() or [text]:
        current = ""
        for word in para.split():
            trial = f"{current} {word}" if current else word
            if current and text_width_cm(trial, size_pt) > width_cm:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return lines


def rule_length_cm(text: str, width_cm: float, size_pt: float) -> float:
    """The short line under a bold title: 2/5 of its longest line (Phụ lục I: 1/3 to 1/2)."""
    longest = max((text_width_cm(line, size_pt)
                   for line in wrapped_lines(text, width_cm, size_pt)), default=0.0)
    return min(longest, width_cm) * RULE_SHARE


def _rule_indent_twips(text: str, width_cm: float = AGENCY_COLUMN_CM,
                       size_pt: float = 13) -> int:
    """Equal side indents (twips) that centre that line in a column `width_cm` wide."""
    line = rule_length_cm(text, width_cm, size_pt)
    return max(int((width_cm - line) / 2 / 2.54 * 1440), 0)


def context(report: Report, scores: Scores, rules: Rules) -> dict[str, Any]:
    """Every value the template may use, as display-ready text."""
    info = report.info
    p = report.paragraphs
    numerals = iter(ROMAN[1:])
    muc = {"chinh_ly": "", "ton_tai": "", "kien_nghi": "", "phuong_huong": ""}
    if report.arrangement:
        muc["chinh_ly"] = next(numerals)
    if any(p.get(k) for k in ("ton_tai", "nguyen_nhan", "giai_phap")):
        muc["ton_tai"] = next(numerals)
    if p.get("kien_nghi"):
        muc["kien_nghi"] = next(numerals)
    if p.get("phuong_huong"):
        muc["phuong_huong"] = next(numerals)

    tieu_muc = {"chinh_ly_trien_khai": "", "chinh_ly_ket_qua": "", "ton_tai": "",
                "nguyen_nhan": "", "giai_phap": ""}
    n = 0
    if p.get("chinh_ly"):
        n += 1
        tieu_muc["chinh_ly_trien_khai"] = str(n)
    tieu_muc["chinh_ly_ket_qua"] = str(n + 1)
    n = 0
    for key in ("ton_tai", "nguyen_nhan", "giai_phap"):
        if p.get(key):
            n += 1
            tieu_muc[key] = str(n)

    ten = info.ten_co_quan
    opening = (f"Thực hiện {_join_bases(report.bases)}, {ten} báo cáo kết quả thực hiện như sau:"
               if report.bases else
               f"{ten} báo cáo kết quả thực hiện công tác văn thư, lưu trữ năm {info.nam} "
               "như sau:")
    period = _period(report)
    closing = f"Trên đây là báo cáo kết quả thực hiện công tác văn thư, lưu trữ năm {info.nam}"
    if report.arrangement:
        closing += " và kết quả thực hiện kế hoạch chỉnh lý tài liệu"
        closing += f" giai đoạn {period}" if period else ""
    if p.get("phuong_huong"):
        closing += f", phương hướng, nhiệm vụ năm {info.nam + 1}"
    to = _addressees(report)
    closing += f", {ten} báo cáo {to}./." if to else f" của {ten}./."

    plan = info.ke_hoach_chinh_ly
    title_ii = f"KẾT QUẢ THỰC HIỆN {upper_vn(plan)}" if plan else "KẾT QUẢ THỰC HIỆN"
    title_ii += " VỀ KẾ HOẠCH CHỈNH LÝ TÀI LIỆU"
    title_ii += f" GIAI ĐOẠN {period}" if period else ""
    table, totals, share = _arrangement(report.arrangement)
    score_rows, total_max = _score_rows(report, scores, rules)

    summary = info.trich_yeu or default_summary(report)
    part_lines = []
    for ps in scores.parts:
        name = ps.name
        part_lines.append({"ten": name, "diem": format_score(ps.score)})

    return {
        "co_quan_chu_quan": upper_vn(info.co_quan_chu_quan),
        "co_quan": upper_vn(info.co_quan),
        "gach_co_quan": _rule_indent_twips(upper_vn(info.co_quan)),
        "gach_trich_yeu": _rule_indent_twips(summary, PAGE_TEXT_CM, 14),
        "ten_co_quan": ten,
        "so_ky_hieu": number_code(info.so, KIND, info.ky_hieu),
        "noi_ngay": date_phrase(info.dia_danh, info.ngay),
        "ngay_chu": date_words(info.ngay),
        "trich_yeu": summary,
        "kinh_gui": info.kinh_gui,
        "mo_dau": opening,
        "nam": str(info.nam),
        "nam_sau": str(info.nam + 1),
        "muc": muc,
        "tieu_muc": tieu_muc,
        "trien_khai": p.get("trien_khai", []),
        "van_ban": _document_lines(report),
        "tong_diem": format_score(scores.total),
        "diem_phan": part_lines,
        "xep_loai": scores.rating,
        "chinh_ly_tieu_de": title_ii,
        "chinh_ly_trien_khai": p.get("chinh_ly", []),
        "chinh_ly_bang": table,
        "chinh_ly_tong": totals,
        "chinh_ly_ty_le": share,
        "ton_tai": p.get("ton_tai", []),
        "nguyen_nhan": p.get("nguyen_nhan", []),
        "giai_phap": p.get("giai_phap", []),
        "kien_nghi": p.get("kien_nghi", []),
        "phuong_huong": p.get("phuong_huong", []),
        "ket_thuc": closing,
        "noi_nhan": _recipients(report.recipients),
        "quyen_han_ky": upper_vn(info.quyen_han_ky),
        "chuc_vu_ky": upper_vn(info.chuc_vu_ky),
        "nguoi_ky": info.nguoi_ky,
        "bang_diem": score_rows,
        "bang_diem_toi_da": total_max,
    }


# ---------------------------------------------------------------- the template's vocabulary

# Every name `context` provides, with what it holds: `template check` compares a template
# against this list, docs/template-variables.md is produced from it, and a test keeps its
# keys equal to the keys of `context`.
TEMPLATE_VARIABLES: dict[str, str] = {
    "co_quan_chu_quan": "Tên cơ quan chủ quản, chữ in hoa (bỏ trống nếu không có).",
    "co_quan": "Tên cơ quan ban hành báo cáo, chữ in hoa.",
    "gach_co_quan": "Lề hai bên (twip) của đường kẻ dưới tên cơ quan: dài 2/5 dòng chữ, "
                    "đặt cân đối; dùng trong thuộc tính w:ind của đoạn kẻ.",
    "gach_trich_yeu": "Lề hai bên (twip) của đường kẻ dưới trích yếu, như `gach_co_quan`.",
    "ten_co_quan": "Tên cơ quan viết thường, dùng trong câu (`Sở Lao động - ...`).",
    "so_ky_hieu": "Số, ký hiệu báo cáo (`218/BC-SLĐTBXH`; số nhỏ hơn 10 có số 0 đứng trước).",
    "noi_ngay": "Địa danh và ngày tháng năm (`Hà Tĩnh, ngày 24 tháng 11 năm 2021`).",
    "ngay_chu": "Ngày tháng năm ban hành (`ngày 24 tháng 11 năm 2021`).",
    "trich_yeu": "Trích yếu nội dung báo cáo.",
    "kinh_gui": "Nơi gửi sau chữ `Kính gửi:` (bỏ trống nếu không có).",
    "mo_dau": "Đoạn mở đầu, dựng từ các văn bản ở trang tính `Căn cứ`.",
    "nam": "Năm báo cáo (`2021`).",
    "nam_sau": "Năm kế tiếp, cho phần phương hướng (`2022`).",
    "muc": "Số La Mã của các mục có nội dung: `muc.chinh_ly`, `muc.ton_tai`, "
           "`muc.kien_nghi`, `muc.phuong_huong` (chuỗi rỗng khi mục bị lược bỏ).",
    "tieu_muc": "Số thứ tự các tiểu mục: `tieu_muc.chinh_ly_trien_khai`, "
                "`tieu_muc.chinh_ly_ket_qua`, `tieu_muc.ton_tai`, `tieu_muc.nguyen_nhan`, "
                "`tieu_muc.giai_phap`.",
    "trien_khai": "Danh sách đoạn văn về công tác triển khai (mục I.1).",
    "van_ban": "Danh sách dòng số liệu văn bản đi, đến theo nhóm, số đã định dạng.",
    "tong_diem": "Tổng điểm tự chấm (`89,75`).",
    "diem_phan": "Danh sách điểm từng phần; mỗi phần có `ten` và `diem`.",
    "xep_loai": "Tự xếp loại (`Tốt`, `Khá`, ...).",
    "chinh_ly_tieu_de": "Tiêu đề mục chỉnh lý tài liệu, chữ in hoa.",
    "chinh_ly_trien_khai": "Danh sách đoạn văn về triển khai chỉnh lý tài liệu.",
    "chinh_ly_bang": "Các dòng bảng chỉnh lý; mỗi dòng có `nam`, `ke_hoach`, `da_chinh_ly`, "
                     "`kp_tinh`, `kp_don_vi`, `nop_luu`, `ton_dong`, `ghi_chu`.",
    "chinh_ly_tong": "Dòng `Tổng cộng` của bảng chỉnh lý, cùng các khóa như một dòng "
                     "(trừ `nam`, `ghi_chu`).",
    "chinh_ly_ty_le": "Câu tỷ lệ tài liệu đã chỉnh lý so với kế hoạch (rỗng khi không có "
                      "kế hoạch).",
    "ton_tai": "Danh sách đoạn văn: tồn tại, khó khăn.",
    "nguyen_nhan": "Danh sách đoạn văn: nguyên nhân.",
    "giai_phap": "Danh sách đoạn văn: giải pháp.",
    "kien_nghi": "Danh sách đoạn văn: kiến nghị, đề xuất.",
    "phuong_huong": "Danh sách đoạn văn: phương hướng, nhiệm vụ năm sau.",
    "ket_thuc": "Câu kết thúc báo cáo, tận cùng bằng `./.`.",
    "noi_nhan": "Danh sách dòng nơi nhận (`- Sở Nội vụ (báo cáo);`, dòng `- Lưu: ...` cuối).",
    "quyen_han_ky": "Quyền hạn người ký, chữ in hoa (`KT. GIÁM ĐỐC`; có thể rỗng).",
    "chuc_vu_ky": "Chức vụ người ký, chữ in hoa (`PHÓ GIÁM ĐỐC`).",
    "nguoi_ky": "Họ và tên người ký.",
    "bang_diem": "Các dòng bảng tự chấm điểm (Phụ lục I); mỗi dòng có `stt`, `tieu_chi`, "
                 "`toi_da`, `tu_cham`, `ghi_chu`, `dam` (dòng in đậm).",
    "bang_diem_toi_da": "Tổng điểm tối đa của bảng tự chấm điểm.",
}

# The fields of the values that are records, or lists of records: `template check` names a
# misspelt field (`{{ muc.chinhly }}`, `{{ dong.ke_hoac }}`) as it names a misspelt variable.
_ARRANGEMENT_FIELDS = ("nam", "ke_hoach", "da_chinh_ly", "kp_tinh", "kp_don_vi", "nop_luu",
                       "ton_dong", "ghi_chu")
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "muc": ("chinh_ly", "ton_tai", "kien_nghi", "phuong_huong"),
    "tieu_muc": ("chinh_ly_trien_khai", "chinh_ly_ket_qua", "ton_tai", "nguyen_nhan",
                 "giai_phap"),
    "chinh_ly_tong": _ARRANGEMENT_FIELDS[1:-1],
}
TEMPLATE_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "diem_phan": ("ten", "diem"),
    "chinh_ly_bang": _ARRANGEMENT_FIELDS,
    "bang_diem": ("stt", "tieu_chi", "toi_da", "tu_cham", "ghi_chu", "dam"),
}


def _number(value: Any, where: str) -> Decimal:
    from .vn import parse_number

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

    from .vn import parse_date

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
            # docxtpl compiles the template's XML on every render; a batch renders the same
            # XML hundreds of times, so the compiled template is kept per source.
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


def _renderer() -> tuple[Any, Any]:
    """One sandboxed environment and one caching DocxTemplate class per process."""
    if not _shared:
        from docxtpl import DocxTemplate

        patched: dict[str, str] = {}

        class CachingDocxTemplate(DocxTemplate):  # type: ignore[misc]
            """docxtpl, with its XML clean-up (pure regex work) done once per template."""

            def patch_xml(self, src_xml: str) -> str:
                out = patched.get(src_xml)
                if out is None:
                    if len(patched) >= _CACHE_SIZE:
                        patched.clear()
                    out = patched[src_xml] = super().patch_xml(src_xml)
                return out

        _shared["env"] = make_env()
        _shared["cls"] = CachingDocxTemplate
    return _shared["env"], _shared["cls"]


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
            from .template_check import locate_syntax_error

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


def render_docx(report: Report, scores: Scores, rules: Rules, template: bytes | None = None
                ) -> bytes:
    """The finished document as bytes (nothing is written here)."""
    import zipfile

    env, template_class = _renderer()
    blob = template if template is not None else default_template()
    try:
        tpl = template_class(io.BytesIO(blob))
        tpl.get_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(f"tệp mẫu không phải tài liệu Word (.docx) hợp lệ: {exc}.") from None
    try:
        tpl.render(context(report, scores, rules), jinja_env=env, autoescape=True)
    except Exception as exc:  # a template is user input: every failure is reported, not raised
        raise template_error(exc, blob) from None
    props = tpl.docx.core_properties
    # Core properties hold at most 255 characters (python-docx refuses more).
    props.title = (report.info.trich_yeu or default_summary(report))[:255]
    props.author = report.info.co_quan[:255]
    props.last_modified_by = report.info.co_quan[:255]
    props.subject = "Báo cáo công tác văn thư, lưu trữ"
    props.keywords = f"văn thư, lưu trữ, {report.info.nam}"
    if report.info.ngay is not None:
        import datetime as dt

        stamp = dt.datetime.combine(report.info.ngay, dt.time())
        props.created = props.modified = stamp
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def write_docx(path: Path, blob: bytes) -> None:
    write_atomic(path, lambda fh: fh.write(blob))

