"""`tong-hop.docx`: the Sở Nội vụ's consolidated report, filled from a Word template
(render/templates/tong-hop.docx, made by scripts/make_tong_hop.py) through the same path as
a unit's report, so an office can give it its own header, wording and layout.

Every value is prepared here as display-ready text (Vietnamese numbers, the decree's
date forms); the template holds structure and fixed wording only. The chart is the
picture named `bieu_do` in the template, its image replaced by the one drawn here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import Info
from ..render.check import Vocabulary
from ..render.layout import (
    PAGE_TEXT_CM,
    RULE_STYLE_AGENCY,
    RULE_STYLE_SUMMARY,
    rule_indent_twips,
)
from ..score.rules import Rules
from ..vn import (
    date_phrase,
    format_number,
    number_code,
    recipient_lines,
    round_half_up,
    upper_vn,
)
from .chart import ChartError, chart_png
from .results import UnitResult
from .workbook import (
    HUNDRED,
    document_totals,
    rating_counts,
    report_year,
    safe_text,
)

if TYPE_CHECKING:
    from .tables import Tables

NO_CHART = "(Không vẽ được biểu đồ: máy không có phông chữ tiếng Việt như Times New Roman)"
TEMPLATE_NAME = "tong-hop.docx"
CHART_PICTURE = "bieu_do"  # the name (wp:docPr) of the chart's picture in the template
DOTS = "…………"  # a blank to fill by hand

# Every name `summary_context` provides: `template check --tong-hop` holds a template to
# it, docs/template-variables.md is produced from it, a test keeps it equal to the context.
TONG_HOP_VARIABLES: dict[str, str] = {
    "co_quan_chu_quan": "Tên cơ quan chủ quản, chữ in hoa (bỏ trống nếu không có).",
    "co_quan": "Tên cơ quan tổng hợp, chữ in hoa (`…………` để điền tay khi không có --info).",
    "ten_co_quan": "Tên cơ quan tổng hợp viết thường, dùng trong câu.",
    "so_ky_hieu": "Số, ký hiệu báo cáo (`07/BC-SNV`).",
    "noi_ngay": "Địa danh và ngày tháng năm (`Hà Tĩnh, ngày 15 tháng 01 năm 2022`).",
    "trich_yeu": "Trích yếu (`Tổng hợp kết quả đánh giá, xếp loại ... năm 2021`).",
    "kinh_gui": "Nơi gửi sau chữ `Kính gửi:` (bỏ trống nếu không có).",
    "mo_dau": "Đoạn mở đầu, nêu văn bản quy định cách chấm điểm.",
    "nam": "Năm báo cáo (`2021`; `…` khi không xác định được).",
    "so_don_vi": "Số cơ quan, đơn vị gửi báo cáo.",
    "so_hop_le": "Số báo cáo hợp lệ, đã tổng hợp.",
    "so_chua_hop_le": "Số báo cáo chưa hợp lệ.",
    "xep_loai": "Danh sách mức xếp loại; mỗi mức có `ten`, `so` (số đơn vị), `ty_le` "
                "(`40%`).",
    "bieu_do": "Có biểu đồ hay không (ảnh tên `bieu_do` trong mẫu được thay bằng biểu đồ).",
    "diem_cao_nhat": "Điểm cao nhất (rỗng khi không có báo cáo hợp lệ).",
    "don_vi_cao_nhat": "Các đơn vị đạt điểm cao nhất, cách nhau bởi dấu phẩy.",
    "diem_binh_quan": "Điểm bình quân của các báo cáo hợp lệ.",
    "van_ban": "Danh sách nhóm văn bản; mỗi nhóm có `ten`, `so`.",
    "chinh_ly": "Chỉnh lý tài liệu: `chinh_ly.da_chinh_ly`, `chinh_ly.ke_hoach` (mét), "
                "`chinh_ly.ty_le` (`93,18%`, rỗng khi không có kế hoạch).",
    "don_vi_loi": "Danh sách đơn vị chưa có báo cáo hợp lệ; mỗi đơn vị có `tep`, `loi`.",
    "ket_thuc": "Câu kết thúc báo cáo, tận cùng bằng `./.`.",
    "noi_nhan": "Danh sách dòng nơi nhận (dòng `- Lưu: VT.` cuối).",
    "quyen_han_ky": "Quyền hạn người ký, chữ in hoa (có thể rỗng).",
    "chuc_vu_ky": "Chức vụ người ký, chữ in hoa (`…………` để điền tay khi không có).",
    "nguoi_ky": "Họ và tên người ký (`…………` để điền tay khi không có).",
    "xep_hang": "Các dòng bảng xếp hạng (Phụ lục I); mỗi dòng có `hang`, `ten`, `diem` "
                "(điểm xếp hạng: điểm thẩm định nếu có, không thì điểm tự chấm), `tu_cham`, "
                "`tham_dinh` (rỗng khi chưa thẩm định), `xep_loai`, `tep`.",
    "danh_sach": "Khi có --don-vi: `muc` (số mục, `V`), `so_don_vi`, `da_nop`, "
                 "`so_chua_nop`, `chua_nop` và `ngoai_danh_sach` (tên cách nhau bởi `; `); "
                 "không có thì rỗng.",
    "theo_cap": "Xếp loại theo cấp (khi có --don-vi); mỗi dòng có `cap`, `so_don_vi`, "
                "`da_nop`, `xep_loai` (`Xuất sắc: 1; Tốt: 0; …`).",
    "nam_truoc": "Khi có --nam-truoc: `muc`, `tang`, `giam`, `giu_nguyen` (số đơn vị tăng, "
                 "giảm, giữ nguyên xếp loại), `moi` (đơn vị năm trước chưa có), `khong_con` "
                 "(đơn vị năm nay không có sổ); không có thì rỗng.",
    "thay_doi": "Bảng so với năm trước (Phụ lục II); mỗi dòng có `stt`, `ten`, "
                "`diem_truoc`, `xep_loai_truoc`, `diem`, `xep_loai`, `thay_doi` (`+8,5`), "
                "`so_voi` (`Tăng`, `Giảm`, `Giữ nguyên`).",
    "tham_dinh": "Khi có --tham-dinh: `muc`, `so_tham_dinh` (số báo cáo có điểm thẩm "
                 "định), `so_dieu_chinh`; không có thì rỗng.",
    "dieu_chinh": "Các đơn vị được điều chỉnh điểm khi thẩm định; mỗi dòng có `ten`, "
                  "`tu_cham`, `tham_dinh`, `chenh_lech` (`-13,5`), `xep_loai` (`Tốt` hoặc "
                  "`từ Xuất sắc thành Tốt`), `ghi_chu`.",
}
TONG_HOP_FIELDS: dict[str, tuple[str, ...]] = {
    "chinh_ly": ("da_chinh_ly", "ke_hoach", "ty_le"),
    "danh_sach": ("muc", "so_don_vi", "da_nop", "so_chua_nop", "chua_nop", "ngoai_danh_sach"),
    "nam_truoc": ("muc", "tang", "giam", "giu_nguyen", "moi", "khong_con"),
    "tham_dinh": ("muc", "so_tham_dinh", "so_dieu_chinh"),
}
TONG_HOP_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "xep_loai": ("ten", "so", "ty_le"),
    "van_ban": ("ten", "so"),
    "don_vi_loi": ("tep", "loi"),
    "xep_hang": ("hang", "ten", "diem", "tu_cham", "tham_dinh", "xep_loai", "tep"),
    "theo_cap": ("cap", "so_don_vi", "da_nop", "xep_loai"),
    "thay_doi": ("stt", "ten", "diem_truoc", "xep_loai_truoc", "diem", "xep_loai", "thay_doi",
                 "so_voi"),
    "dieu_chinh": ("ten", "tu_cham", "tham_dinh", "chenh_lech", "xep_loai", "ghi_chu"),
}
VOCABULARY = Vocabulary(TONG_HOP_VARIABLES, TONG_HOP_FIELDS, TONG_HOP_ITEM_FIELDS,
                        "mẫu báo cáo tổng hợp")


def default_template() -> bytes:
    """The consolidated report's template shipped in the package."""
    res = resources.files("baocao_cli.render").joinpath("templates", TEMPLATE_NAME)
    if res.is_file():
        return res.read_bytes()
    return (Path(__file__).resolve().parents[1] / "render" / "templates"
            / TEMPLATE_NAME).read_bytes()


def _percent(share: Decimal) -> str:
    return f"{format_number(share, 2)}%"


def summary_context(units: Sequence[UnitResult], rules: Rules, head: Info,
                    recipients: list[str], chart: bool, tables: Tables | None = None
                    ) -> dict[str, Any]:
    """Every value the consolidated template may use, as display-ready text; the ranking,
    ratings and the year's sections from the frames of tables.py (built here if not given)."""
    from .tables import build_tables, context

    year = report_year(units, head)
    year_text = str(year) if year else "…"
    tables = tables if tables is not None else build_tables(units, rules)
    frames = context(tables, rules)
    counts = rating_counts(tables)
    n_ok = sum(c.count for c in counts)
    frame = tables.units
    duplicate = dict(zip(frame.loc[frame["duplicate"], "idx"],
                         frame.loc[frame["duplicate"], "dup_error"], strict=True))
    failed = [u for u in units if not u.ok or u.index in duplicate]
    who = head.ten_co_quan or DOTS
    docs = document_totals(units)
    planned = sum((u.metres_planned for u in units if u.ok), Decimal(0))
    done = sum((u.metres_done for u in units if u.ok), Decimal(0))
    errors = []
    for u in failed:
        name = Path(u.source).name
        first = u.errors[0] if u.errors else "không rõ lỗi."
        if u.index in duplicate:  # two workbooks for one unit of the roster (E702)
            first = duplicate[u.index]
        first = first.removeprefix(f"{name}: ")  # file-level messages lead with the name
        more = f" (và {u.n_errors - 1} lỗi khác)" if u.n_errors > 1 else ""
        errors.append({"tep": safe_text(name), "loi": safe_text(first + more)})
    return {
        "co_quan_chu_quan": upper_vn(head.co_quan_chu_quan),
        "co_quan": upper_vn(head.co_quan) if head.co_quan else DOTS,
        "ten_co_quan": who,
        "so_ky_hieu": number_code(head.so, "BC", head.ky_hieu or "      "),
        "noi_ngay": date_phrase(head.dia_danh or DOTS, head.ngay),
        "trich_yeu": "Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ năm "
                     + year_text,
        "kinh_gui": head.kinh_gui,
        "mo_dau": f"{who} tổng hợp kết quả tự đánh giá, chấm điểm và xếp loại công tác văn "
                  f"thư, lưu trữ năm {year_text} của các cơ quan, đơn vị, địa phương theo "
                  f"{rules.decision or rules.title} như sau:",
        "nam": year_text,
        "so_don_vi": format_number(len(units)),
        "so_hop_le": format_number(n_ok),
        "so_chua_hop_le": format_number(len(failed)),
        "xep_loai": [{"ten": c.name, "so": format_number(c.count), "ty_le": _percent(c.share)}
                     for c in counts],
        "bieu_do": chart,
        "diem_cao_nhat": frames["diem_cao_nhat"],
        "don_vi_cao_nhat": frames["don_vi_cao_nhat"],
        "diem_binh_quan": frames["diem_binh_quan"],
        "van_ban": [{"ten": label, "so": format_number(docs.get(key, 0))}
                    for key, label in GROUPS],
        "chinh_ly": {
            "da_chinh_ly": format_number(done), "ke_hoach": format_number(planned),
            "ty_le": (_percent(round_half_up(done * HUNDRED / planned, 2)) if planned > 0
                      else ""),
        },
        "don_vi_loi": errors,
        "ket_thuc": "Trên đây là báo cáo tổng hợp kết quả đánh giá, xếp loại công tác văn "
                    f"thư, lưu trữ năm {year_text} của {who}./.",
        "noi_nhan": recipient_lines(recipients) or ["- …………;", "- Lưu: VT."],
        "quyen_han_ky": upper_vn(head.quyen_han_ky),
        "chuc_vu_ky": upper_vn(head.chuc_vu_ky) or DOTS,
        "nguoi_ky": head.nguoi_ky or DOTS,
        "xep_hang": frames["xep_hang"],
        **{key: frames[key] for key in ("danh_sach", "theo_cap", "nam_truoc", "thay_doi",
                                        "tham_dinh", "dieu_chinh")},
    }


def build_summary_docx(units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None,
                       template: bytes | None = None, tables: Tables | None = None
                       ) -> tuple[bytes, list[str]]:
    """The consolidated report as bytes, with blank header/signature fields to fill by hand,
    and warnings for the user (in Vietnamese) about what it had to leave out.

    TemplateError when `template` (an office's own) cannot be used."""
    from ..render.fill import prepared
    from ..render.report import core_properties
    from ..render.sandbox import renderer
    from .tables import build_tables

    warnings: list[str] = []
    tables = tables if tables is not None else build_tables(units, rules)
    head, recipients = info if info is not None else (Info(), [])
    year = report_year(units, head)
    images: dict[str, bytes] = {}
    try:
        images[CHART_PICTURE] = chart_png(rating_counts(tables), year)
    except ChartError as exc:  # the report stands: a note in the chart's place, a warning
        warnings.append(f"báo cáo tổng hợp không có biểu đồ: {exc}")
    ctx = summary_context(units, rules, head, recipients, bool(images), tables)
    properties = core_properties(ctx["trich_yeu"], head.co_quan,
                                 "Báo cáo tổng hợp công tác văn thư, lưu trữ",
                                 f"văn thư, lưu trữ, tổng hợp, {ctx['nam']}", head.ngay)
    blob = template if template is not None else default_template()
    indents = {RULE_STYLE_AGENCY: rule_indent_twips(ctx["co_quan"]),
               RULE_STYLE_SUMMARY: rule_indent_twips(ctx["trich_yeu"], PAGE_TEXT_CM, 14)}
    filled = prepared(blob, renderer(), VOCABULARY).fill(ctx, properties, images, indents)
    return filled, warnings


def write_summary_docx(path: Path, units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None,
                       template: bytes | None = None, tables: Tables | None = None
                       ) -> list[str]:
    """Write the consolidated report; the warnings of `build_summary_docx`."""
    blob, warnings = build_summary_docx(units, rules, info, template, tables)
    write_atomic(path, lambda fh: fh.write(blob))
    return warnings
