"""Report + scores → the Word document, through the template (docxtpl syntax).

All wording that depends on data (numbering that closes up, Vietnamese number and date
forms, the recipients' punctuation) is prepared here as plain strings, so a template
holds only structure and can be edited in Word without knowing Python.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import ArrangementRow, Report, ScoreItem
from ..score.compute import ZERO, Scores, item_max, item_score
from ..score.rules import Rules
from ..vn import (
    bare_item,
    date_phrase,
    date_words,
    format_number,
    format_score,
    number_code,
    recipient_lines,
    upper_vn,
)
from .check import Vocabulary
from .layout import PAGE_TEXT_CM, RULE_STYLE_AGENCY, RULE_STYLE_SUMMARY, rule_indent_twips
from .sandbox import renderer

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
TEMPLATE_NAME = "bao-cao.docx"
KIND = "BC"  # Báo cáo, Phụ lục III of ND 30/2020


def default_template() -> bytes:
    """The template shipped in the package (a wheel carries it under baocao_cli/templates)."""
    res = resources.files(__package__).joinpath("templates", TEMPLATE_NAME)
    if res.is_file():
        return res.read_bytes()
    # Running from a source checkout without installing: the repository's templates/.
    return (Path(__file__).resolve().parents[2] / "templates" / TEMPLATE_NAME).read_bytes()


def _addressees(report: Report) -> str:
    """Whom the closing sentence reports to: `kinh_gui`, else recipients marked (báo cáo)."""
    if report.info.kinh_gui:
        return report.info.kinh_gui.rstrip(";.")
    marked = []
    for r in report.recipients:
        text = bare_item(r)
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


_RANGE = re.compile(r"(?<=\d)-(?=\d)")


def keep_ranges(text: str) -> str:
    """`2019-2021` with a non-breaking hyphen (U+2011), so a centred title never ends a
    line on `2019-` with `2021` alone below it."""
    return _RANGE.sub("\u2011", text)


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


def _score_rows(report: Report, scores: Scores) -> tuple[list[dict], str]:
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
    score_rows, total_max = _score_rows(report, scores)

    summary = info.trich_yeu or default_summary(report)
    part_lines = []
    for ps in scores.parts:
        name = ps.name
        part_lines.append({"ten": name, "diem": format_score(ps.score)})

    return {
        "co_quan_chu_quan": upper_vn(info.co_quan_chu_quan),
        "co_quan": upper_vn(info.co_quan),
        "gach_co_quan": rule_indent_twips(upper_vn(info.co_quan)),
        "gach_trich_yeu": rule_indent_twips(summary, PAGE_TEXT_CM, 14),
        "ten_co_quan": ten,
        "so_ky_hieu": number_code(info.so, KIND, info.ky_hieu),
        "noi_ngay": date_phrase(info.dia_danh, info.ngay),
        "ngay_chu": date_words(info.ngay),
        "trich_yeu": keep_ranges(summary),
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
        "noi_nhan": recipient_lines(report.recipients),
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
                    "đặt cân đối. Mẫu không cần dùng: mọi đoạn kiểu (style) `Đường kẻ dưới "
                    "tên cơ quan` được đặt lề này khi lập báo cáo.",
    "gach_trich_yeu": "Lề hai bên (twip) của đường kẻ dưới trích yếu, như `gach_co_quan`; "
                      "đặt cho mọi đoạn kiểu `Đường kẻ dưới trích yếu`.",
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


VOCABULARY = Vocabulary(TEMPLATE_VARIABLES, TEMPLATE_FIELDS, TEMPLATE_ITEM_FIELDS)


def core_properties(title: str, agency: str, subject: str, keywords: str,
                    day: dt.date | None) -> dict[str, Any]:
    """A report's core properties (a unit's or the consolidated one): its title, the agency
    as author, and the report's date as created and modified. At most 255 characters
    each: python-docx refuses more."""
    properties: dict[str, Any] = {"title": title[:255], "author": agency[:255],
                                  "last_modified_by": agency[:255], "subject": subject,
                                  "keywords": keywords}
    if day is not None:
        properties["created"] = properties["modified"] = dt.datetime.combine(day, dt.time())
    return properties


def render_docx(report: Report, scores: Scores, rules: Rules, template: bytes | None = None
                ) -> bytes:
    """The finished document as bytes (nothing is written here)."""
    from .fill import prepared

    env = renderer()
    blob = template if template is not None else default_template()
    info = report.info
    properties = core_properties(info.trich_yeu or default_summary(report), info.co_quan,
                                 "Báo cáo công tác văn thư, lưu trữ",
                                 f"văn thư, lưu trữ, {info.nam}", info.ngay)
    ctx = context(report, scores, rules)
    indents = {RULE_STYLE_AGENCY: ctx["gach_co_quan"], RULE_STYLE_SUMMARY: ctx["gach_trich_yeu"]}
    return prepared(blob, env, VOCABULARY).fill(ctx, properties, indents=indents)


def write_docx(path: Path, blob: bytes) -> None:
    write_atomic(path, lambda fh: fh.write(blob))

