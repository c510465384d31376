"""Report + scores → the Word document, through the docxtpl template.

All wording that depends on data (numbering that closes up, Vietnamese number and date
forms, the recipients' punctuation) is prepared here as plain strings, so a template
holds only structure and can be edited in Word without knowing Python.
"""

from __future__ import annotations

import io
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


def _rule_indent_twips(text: str) -> int:
    """Side indents that make the line under the agency name 1/3–1/2 of its text, centred.

    Bold 13 pt capitals in Times New Roman average about 0.28 cm a character; the name
    wraps inside the 6.3 cm column.
    """
    column = 6.3
    longest = max((len(line) for line in text.splitlines() or [text]), default=0)
    text_width = min(longest * 0.28, column)
    line = min(max(text_width * 0.42, 1.5), 3.0)
    return int((column - line) / 2 / 2.54 * 1440)


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

    part_lines = []
    for ps in scores.parts:
        name = ps.name
        part_lines.append({"ten": name, "diem": format_score(ps.score)})

    return {
        "co_quan_chu_quan": upper_vn(info.co_quan_chu_quan),
        "co_quan": upper_vn(info.co_quan),
        "gach_co_quan": _rule_indent_twips(upper_vn(info.co_quan)),
        "ten_co_quan": ten,
        "so_ky_hieu": number_code(info.so, KIND, info.ky_hieu),
        "noi_ngay": date_phrase(info.dia_danh, info.ngay),
        "ngay_chu": date_words(info.ngay),
        "trich_yeu": info.trich_yeu or default_summary(report),
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


def render_docx(report: Report, scores: Scores, rules: Rules, template: bytes | None = None
                ) -> bytes:
    """The finished document as bytes (nothing is written here)."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2 import TemplateError as JinjaError
    from jinja2.sandbox import SandboxedEnvironment

    tpl = DocxTemplate(io.BytesIO(template if template is not None else default_template()))
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    try:
        tpl.render(context(report, scores, rules), jinja_env=env, autoescape=True)
    except JinjaError as exc:
        raise TemplateError(f"Mẫu báo cáo không dùng được: {exc}") from None
    props = tpl.docx.core_properties
    props.title = report.info.trich_yeu or default_summary(report)
    props.author = report.info.co_quan
    props.last_modified_by = report.info.co_quan
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

