"""`tong-hop.docx`: the Sở Nội vụ's consolidated report, laid out like a unit's report
(Nghị định 30/2020/NĐ-CP, Phụ lục I and III), built with python-docx from the figures of
summary.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import Info
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
    FONT,
    HUNDRED,
    document_totals,
    rating_counts,
    report_year,
    safe_text,
)

if TYPE_CHECKING:
    from .tables import Tables

NO_CHART = "(Không vẽ được biểu đồ: máy không có phông chữ tiếng Việt như Times New Roman)"


class _Doc:
    """python-docx with the decree's formatting (Times New Roman in every script slot)."""

    def __init__(self) -> None:
        from docx import Document
        from docx.shared import Cm, Pt

        self.doc = Document()
        self.Cm, self.Pt = Cm, Pt
        # Formatted paragraph and run properties by format: a report sets a few formats on
        # hundreds of paragraphs, and python-docx's setters are slow.
        self._ppr: dict[tuple[Any, ...], Any] = {}
        self._rpr: dict[tuple[Any, ...], Any] = {}
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        self._fonts(normal.element)
        normal.paragraph_format.space_after = Pt(0)
        s = self.doc.sections[0]
        s.page_width, s.page_height = Cm(21), Cm(29.7)
        s.top_margin, s.bottom_margin = Cm(2), Cm(2)
        s.left_margin, s.right_margin = Cm(3), Cm(1.5)
        s.header_distance = s.footer_distance = Cm(1)
        s.different_first_page_header_footer = True
        p = s.header.paragraphs[0]
        p.alignment = 1  # centre
        self._page_field(p)

    @staticmethod
    def _fonts(element: Any, size: float | None = None) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = element.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            if element.tag == qn("w:r"):
                element.insert(0, rpr)
            else:
                element.append(rpr)
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)

    def _page_field(self, p: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        def run(child: Any) -> None:
            r = p.add_run()
            r.font.size = self.Pt(14)
            self._fonts(r._r)
            r._r.append(child)

        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None),
                           (None, "2"), ("end", None)):
            if kind is not None:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == " PAGE ":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            else:
                el = OxmlElement("w:t")
                el.text = text
            run(el)

    def para(self, container: Any, text: str = "", *, size: float = 14, bold: bool = False,
             italic: bool = False, align: str = "center", indent: bool = False,
             before: float = 0, after: float = 0, line: float = 1.0,
             keep_next: bool = False) -> Any:
        key = (size, bold, italic, align, indent, before, after, line, keep_next)
        p = container.add_paragraph()
        if key in self._ppr:  # python-docx's setters, once per format: copies after that
            p._p.insert(0, copy.deepcopy(self._ppr[key]))
            self.run(p, text, size=size, bold=bold, italic=italic)
            return p
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        f = p.paragraph_format
        f.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                       "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
                       "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        f.first_line_indent = self.Cm(1.27) if indent else self.Cm(0)
        f.space_before, f.space_after = self.Pt(before), self.Pt(after)
        f.line_spacing = line
        f.keep_with_next = keep_next
        self._ppr[key] = copy.deepcopy(p._p.pPr)
        self.run(p, text, size=size, bold=bold, italic=italic)
        return p

    def run(self, p: Any, text: str, *, size: float = 14, bold: bool = False,
            italic: bool = False) -> Any:
        r = p.add_run(safe_text(text) if text else "")
        key = (size, bold, italic)
        if key in self._rpr:
            r._r.insert(0, copy.deepcopy(self._rpr[key]))
            return r
        from docx.shared import RGBColor

        r.font.size = self.Pt(size)
        r.font.bold, r.font.italic = bold, italic
        r.font.name = FONT
        r.font.color.rgb = RGBColor(0, 0, 0)
        self._fonts(r._r)
        self._rpr[key] = copy.deepcopy(r._r.rPr)
        return r

    def body(self, text: str, **kw: Any) -> Any:
        kw.setdefault("align", "justify")
        kw.setdefault("indent", True)
        kw.setdefault("after", 6)
        kw.setdefault("line", 1.15)
        return self.para(self.doc, text, **kw)

    def heading(self, text: str) -> Any:
        return self.body(text, bold=True, keep_next=True)

    def rule(self, container: Any, length_cm: float, width_cm: float) -> None:
        """A short centred line: an empty paragraph with a top border."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p = self.para(container, "", size=1, before=2)
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        top = OxmlElement("w:top")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"),
                     ("w:color", "000000")):
            top.set(qn(k), v)
        bdr.append(top)
        side = max(0.0, (width_cm - length_cm) / 2)
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = self.Cm(side)
        # pBdr must precede spacing/ind/jc in pPr (schema order).
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            spacing.addprevious(bdr)
        else:
            ppr.append(bdr)

    def table(self, rows: int, widths: list[float], *, borders: bool) -> Any:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        t = self.doc.add_table(rows=rows, cols=len(widths))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        t.autofit = False
        tblpr = t._tbl.tblPr
        bd = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{side}")
            if borders:
                for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                             ("w:color", "000000")):
                    el.set(qn(k), v)
            else:
                el.set(qn("w:val"), "nil")
            bd.append(el)
        # After tblW/jc/tblInd, before shd/tblLayout/tblCellMar/tblLook (schema order).
        after = next((el for tag in ("shd", "tblLayout", "tblCellMar", "tblLook")
                      if (el := tblpr.find(qn(f"w:{tag}"))) is not None), None)
        if after is not None:
            after.addprevious(bd)
        else:
            tblpr.append(bd)
        for col, w in zip(t.columns, widths, strict=True):
            col.width = self.Cm(w)
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = self.Cm(w)
                for p in list(cell.paragraphs):
                    p._p.getparent().remove(p._p)
        return t

    @staticmethod
    def add_row(table: Any) -> list[Any]:
        """A new row's cells, empty. `row.cells` in python-docx walks the whole table on
        every call (quadratic for a table of a thousand units); the row's own `w:tc`
        elements are enough here."""
        from docx.table import _Cell

        tr = table.add_row()._tr
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        for cell in cells:
            for p in list(cell.paragraphs):
                p._p.getparent().remove(p._p)
        return cells

    @staticmethod
    def copy_row(table: Any, proto: Any, texts: list[str]) -> None:
        """Append a copy of the row `proto` (one run per cell) with `texts` in its cells."""
        from docx.oxml.ns import qn

        tr = copy.deepcopy(proto)
        for tc, text in zip(tr.iterchildren(qn("w:tc")), texts, strict=True):
            t = next(tc.iter(qn("w:t")))
            t.text = safe_text(text)
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        table._tbl.append(tr)

    @staticmethod
    def keep_together(row: Any) -> None:
        from docx.oxml import OxmlElement

        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    @staticmethod
    def repeat_header(row: Any) -> None:
        from docx.oxml import OxmlElement

        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        p = self.para(self.doc, "")
        p.runs[0].add_break(WD_BREAK.PAGE)

    def grid(self, headers: list[str], widths: list[float], rows: list[list[str]]) -> None:
        """A bordered table: a bold header row repeated on every page, then `rows`, the
        second column left-aligned (names), the others centred. One formatted row is
        copied for every row: python-docx's own calls cost about 2 ms a paragraph, 10 s
        for a thousand units; a copy of the row's XML costs almost nothing."""
        t = self.table(1, widths, borders=True)
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            self.para(cell, text, size=12, bold=True)
        self.repeat_header(t.rows[0])
        c = self.add_row(t)
        for i, cell in enumerate(c):
            self.para(cell, "x", size=12, align="left" if i == 1 else "center")
        proto = c[0]._tc.getparent()
        proto.getparent().remove(proto)
        for texts in rows:
            self.copy_row(t, proto, texts)


def _percent(share: Decimal) -> str:
    return f"{format_number(share, 2)}%"


def build_summary_docx(units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None,
                       tables: Tables | None = None) -> tuple[bytes, list[str]]:
    """The consolidated report as bytes, with blank header/signature fields to fill by hand,
    and warnings for the user (in Vietnamese) about what it had to leave out."""
    from .tables import build_tables, context

    warnings: list[str] = []
    head, recipients = info if info is not None else (Info(), [])
    year = report_year(units, head)
    year_text = str(year) if year else "…"
    tables = tables if tables is not None else build_tables(units, rules)
    ctx = context(tables)
    counts = rating_counts(tables)
    n_ok = sum(c.count for c in counts)
    failed = [u for u in units if not u.ok]
    d = _Doc()
    doc = d.doc
    dots = "…………"

    # 1. Header: agency | quốc hiệu; Số | place and date.
    t = d.table(2, [6.5, 10.0], borders=False)
    left, right = t.rows[0].cells
    if head.co_quan_chu_quan:
        d.para(left, upper_vn(head.co_quan_chu_quan), size=13)
    d.para(left, upper_vn(head.co_quan) if head.co_quan else dots, size=13, bold=True)
    d.rule(left, 2.5, 6.3)
    d.para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    d.para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    d.rule(right, 6.05, 9.8)
    left2, right2 = t.rows[1].cells
    d.para(left2, "Số: " + number_code(head.so, "BC", head.ky_hieu or "      "), size=13,
           before=6)
    d.para(right2, date_phrase(head.dia_danh or dots, head.ngay), size=14, italic=True,
           before=6)

    # 2. Title and trích yếu.
    title = f"Tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu trữ năm {year_text}"
    d.para(doc, "BÁO CÁO", bold=True, before=24, keep_next=True)
    d.para(doc, title, bold=True, keep_next=True)
    d.rule(doc, 3.0, 16.5)
    if head.kinh_gui:
        p = d.para(doc, "Kính gửi: ", before=6, after=6)
        d.run(p, head.kinh_gui)
    who = head.ten_co_quan or dots
    d.body(f"{who} tổng hợp kết quả tự đánh giá, chấm điểm và xếp loại công tác văn thư, "
           f"lưu trữ năm {year_text} của các cơ quan, đơn vị, địa phương theo "
           f"{rules.decision or rules.title} như sau:", before=12)

    # 3. Body.
    d.heading("I. TÌNH HÌNH TỔNG HỢP")
    d.body(f"- Số cơ quan, đơn vị, địa phương gửi báo cáo: {format_number(len(units))}.")
    d.body(f"- Số báo cáo hợp lệ, đã tổng hợp: {format_number(n_ok)}.")
    d.body(f"- Số báo cáo chưa hợp lệ, chưa tổng hợp được: {format_number(len(failed))}"
           + (" (chi tiết tại mục IV)." if failed else "."))

    d.heading("II. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI")
    d.body(f"Trong {format_number(n_ok)} cơ quan, đơn vị, địa phương có báo cáo hợp lệ:")
    for c in counts:
        d.body(f"- Xếp loại {c.name}: {format_number(c.count)} đơn vị, chiếm "
               f"{_percent(c.share)}.")
    try:
        png = chart_png(counts, year)
    except ChartError as exc:  # the report stands: a note in the chart's place, a warning
        warnings.append(f"báo cáo tổng hợp không có biểu đồ: {exc}")
        d.para(doc, NO_CHART, size=12, italic=True, before=6, after=6)
    else:
        from docx.shared import Cm

        pic = d.para(doc, "", before=6, after=6, keep_next=True)
        pic.runs[0].add_picture(io.BytesIO(png), width=Cm(15))
        d.para(doc, f"Biểu đồ: Kết quả xếp loại công tác văn thư, lưu trữ năm {year_text}",
               size=12, italic=True, after=6)
    if n_ok:
        d.body(f"- Điểm cao nhất: {ctx['diem_cao_nhat']} điểm ("
               + ", ".join(ctx["cao_nhat"]) + ").")
        d.body(f"- Điểm bình quân: {ctx['diem_binh_quan']} điểm.")
    d.body("- Bảng xếp hạng chi tiết các cơ quan, đơn vị, địa phương tại Phụ lục I kèm theo "
           "Báo cáo này.")

    d.heading("III. SỐ LIỆU TỔNG HỢP")
    docs = document_totals(units)
    d.body("1. Văn bản (theo số liệu các báo cáo hợp lệ):", bold=True, keep_next=True)
    for key, label in GROUPS:
        d.body(f"- {label}: {format_number(docs.get(key, 0))} văn bản.")
    planned = sum((u.metres_planned for u in units if u.ok), Decimal(0))
    done = sum((u.metres_done for u in units if u.ok), Decimal(0))
    d.body("2. Chỉnh lý tài liệu:", bold=True, keep_next=True)
    line = (f"- Tổng số tài liệu đã chỉnh lý: {format_number(done)} mét"
            f" / kế hoạch {format_number(planned)} mét")
    if planned > 0:
        line += f", đạt {_percent(round_half_up(done * HUNDRED / planned, 2))}"
    d.body(line + ".")

    d.heading("IV. CÁC ĐƠN VỊ CHƯA CÓ BÁO CÁO HỢP LỆ")
    if not failed:
        d.body("Tất cả các báo cáo nhận được đều hợp lệ.")
    for u in failed:
        name = Path(u.source).name
        first = u.errors[0] if u.errors else "không rõ lỗi."
        first = first.removeprefix(f"{name}: ")  # file-level messages lead with the name
        more = f" (và {u.n_errors - 1} lỗi khác)" if u.n_errors > 1 else ""
        d.body(f"- {name}: {first}{more}")
    year_sections(d, ctx)
    d.body(f"Trên đây là báo cáo tổng hợp kết quả đánh giá, xếp loại công tác văn thư, lưu "
           f"trữ năm {year_text} của {who}./.")

    # 4. Signature.
    s = d.table(1, [8.0, 8.5], borders=False)
    d.keep_together(s.rows[0])
    sl, sr = s.rows[0].cells
    d.para(sl, "Nơi nhận:", size=12, bold=True, italic=True, align="left", before=12)
    lines = _recipient_lines(recipients)
    for text in lines:
        d.para(sl, text, size=11, align="left")
    d.para(sr, upper_vn(head.quyen_han_ky), bold=True, before=12)
    d.para(sr, upper_vn(head.chuc_vu_ky), bold=True)
    for _ in range(4):
        d.para(sr, "")
    d.para(sr, head.nguoi_ky, bold=True)

    # 5. Phụ lục I: the ranked table.
    d.page_break()
    d.para(doc, "Phụ lục I", bold=True)
    d.para(doc, f"KẾT QUẢ XẾP HẠNG CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {year_text}", bold=True)
    so = number_code(head.so, "BC", head.ky_hieu or "      ")
    d.para(doc, f"(Kèm theo Báo cáo số {so} của {who})", italic=True, after=6)
    if ctx["reviewed"]:
        d.grid(["Hạng", "Cơ quan, đơn vị", "Điểm tự chấm", "Điểm thẩm định", "Xếp loại",
                "Tệp"], [1.3, 5.2, 2.0, 2.2, 2.3, 3.5],
               [[str(r["hang"]), r["ten"], r["tu_cham"], r["tham_dinh"], r["xep_loai"],
                 r["tep"]] for r in ctx["ranking"]])
    else:
        d.grid(["Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Xếp loại", "Tệp"],
               [1.4, 6.6, 2.3, 2.6, 3.6],
               [[str(r["hang"]), r["ten"], r["diem"], r["xep_loai"], r["tep"]]
                for r in ctx["ranking"]])
    year_appendices(d, ctx, year_text, so, who)

    props = doc.core_properties
    props.title = title
    props.author = head.co_quan or ""
    props.subject = "Báo cáo tổng hợp công tác văn thư, lưu trữ"
    props.keywords = f"văn thư, lưu trữ, tổng hợp, {year_text}"
    if head.ngay is not None:
        props.created = props.modified = dt.datetime.combine(head.ngay, dt.time())
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), warnings


ROMAN = ("V", "VI", "VII")


def year_sections(d: _Doc, ctx: dict[str, Any]) -> None:
    """The Sở Nội vụ's year, after section IV: who of the roster submitted and the ratings
    per Cấp, the comparison with last year, the units the review adjusted. Everything
    comes from the plain context of tables.context, so it moves into a template as is."""
    numbers = iter(ROMAN)
    roster, last, review = ctx["roster"], ctx["last_year"], ctx["review"]
    if roster is not None:
        d.heading(f"{next(numbers)}. TÌNH HÌNH NỘP BÁO CÁO THEO DANH SÁCH ĐƠN VỊ")
        missing = roster["chua_nop"]
        d.body(f"- Số cơ quan, đơn vị, địa phương trong danh sách: "
               f"{format_number(roster['so_don_vi'])}; đã nộp báo cáo: "
               f"{format_number(roster['da_nop'])}; chưa nộp: {format_number(len(missing))}.")
        if missing:
            d.body("- Các cơ quan, đơn vị, địa phương chưa nộp báo cáo: "
                   + "; ".join(missing) + ".")
        if roster["ngoai_danh_sach"]:
            d.body("- Báo cáo của đơn vị không có trong danh sách: "
                   + "; ".join(roster["ngoai_danh_sach"]) + ".")
        d.body("- Kết quả xếp loại theo cấp:", keep_next=True)
        bands = [b["ten"] for b in ctx["xep_loai"]]
        width = min(2.2, 9.0 / max(1, len(bands)))
        d.grid(["Cấp", "Số đơn vị", "Đã nộp", *bands],
               [4.0, 1.8, 1.7, *([width] * len(bands))],
               [[c["cap"], format_number(c["so_don_vi"]), format_number(c["da_nop"]),
                 *(format_number(b["so"]) for b in c["xep_loai"])]
                for c in roster["theo_cap"]])
        d.para(d.doc, "", after=6)
    if last is not None:
        d.heading(f"{next(numbers)}. SO VỚI NĂM TRƯỚC")
        d.body(f"So với năm trước: {format_number(last['tang'])} đơn vị tăng xếp loại, "
               f"{format_number(last['giam'])} đơn vị giảm, {format_number(last['giu_nguyen'])}"
               f" đơn vị giữ nguyên.")
        if last["moi"]:
            d.body("- Đơn vị có báo cáo năm nay, năm trước chưa có: " + "; ".join(last["moi"])
                   + ".")
        if last["khong_con"]:
            d.body("- Đơn vị năm trước có, năm nay không có báo cáo: "
                   + "; ".join(last["khong_con"]) + ".")
        d.body("- Chi tiết thay đổi của từng đơn vị tại Phụ lục II kèm theo Báo cáo này.")
    if review is not None:
        d.heading(f"{next(numbers)}. KẾT QUẢ THẨM ĐỊNH")
        changed = review["dieu_chinh"]
        d.body(f"Sau thẩm định {format_number(review['so_tham_dinh'])} báo cáo, "
               + (f"{format_number(len(changed))} đơn vị được điều chỉnh điểm; thứ hạng và "
                  f"xếp loại đề nghị theo điểm thẩm định:" if changed
                  else "không đơn vị nào phải điều chỉnh điểm."))
        for r in changed:
            rating = r["xep_loai"] if r["xep_loai"] == r["tu_xep_loai"] \
                else f"từ {r['tu_xep_loai']} thành {r['xep_loai']}"
            note = f"; {r['ghi_chu']}" if r["ghi_chu"] else ""
            d.body(f"- {r['ten']}: tự chấm {r['tu_cham']} điểm, thẩm định {r['tham_dinh']} "
                   f"điểm ({r['chenh_lech']}), xếp loại {rating}{note}.")


def year_appendices(d: _Doc, ctx: dict[str, Any], year_text: str, so: str, who: str) -> None:
    """Phụ lục II, the change of every unit since last year, when last year was given."""
    last = ctx["last_year"]
    if last is None:
        return
    d.page_break()
    d.para(d.doc, "Phụ lục II", bold=True)
    d.para(d.doc, f"KẾT QUẢ NĂM {year_text} SO VỚI NĂM TRƯỚC", bold=True)
    d.para(d.doc, f"(Kèm theo Báo cáo số {so} của {who})", italic=True, after=6)
    d.grid(["STT", "Cơ quan, đơn vị", "Điểm năm trước", "Xếp loại năm trước", "Điểm năm nay",
            "Xếp loại năm nay", "Thay đổi", "So với năm trước"],
           [1.1, 4.6, 1.6, 1.8, 1.6, 1.8, 1.6, 1.9],
           [[str(i), r["ten"], r["diem_truoc"], r["xep_loai_truoc"], r["diem"], r["xep_loai"],
             r["thay_doi"], r["so_voi"]] for i, r in enumerate(last["bang"], 1)])


def _recipient_lines(items: list[str]) -> list[str]:
    """The recipients as in any report; blanks to fill by hand when none were given."""
    return recipient_lines(items) or ["- …………;", "- Lưu: VT."]


def write_summary_docx(path: Path, units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None,
                       tables: Tables | None = None) -> list[str]:
    """Write the consolidated report; the warnings of `build_summary_docx`."""
    blob, warnings = build_summary_docx(units, rules, info, tables)
    write_atomic(path, lambda fh: fh.write(blob))
    return warnings
