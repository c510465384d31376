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
from typing import Any

from ..contract import GROUPS
from ..files import write_atomic
from ..model import Info
from ..score.rules import Rules
from ..vn import (
    date_phrase,
    format_number,
    format_score,
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
    display_name,
    document_totals,
    ranked,
    rating_counts,
    report_year,
    safe_text,
)

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


def _percent(share: Decimal) -> str:
    return f"{format_number(share, 2)}%"


def build_summary_docx(units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None
                       ) -> tuple[bytes, list[str]]:
    """The consolidated report as bytes, with blank header/signature fields to fill by hand,
    and warnings for the user (in Vietnamese) about what it had to leave out."""
    warnings: list[str] = []
    head, recipients = info if info is not None else (Info(), [])
    year = report_year(units, head)
    year_text = str(year) if year else "…"
    counts = rating_counts(units, rules)
    n_ok = sum(c.count for c in counts)
    table = ranked(units)
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
        best = [u for r, u in table if r == 1]
        d.body(f"- Điểm cao nhất: {format_score(best[0].total)} điểm ("
               + ", ".join(display_name(u) for u in best) + ").")
        totals = [u.total for _, u in table if u.total is not None and u.ok]
        mean = round_half_up(sum(totals, Decimal(0)) / len(totals), 2)
        d.body(f"- Điểm bình quân: {format_score(mean)} điểm.")
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
    widths = [1.4, 6.6, 2.3, 2.6, 3.6]
    rt = d.table(1, widths, borders=True)
    for cell, text in zip(rt.rows[0].cells, ["Hạng", "Cơ quan, đơn vị", "Tổng điểm",
                                             "Xếp loại", "Tệp"], strict=True):
        d.para(cell, text, size=12, bold=True)
    d.repeat_header(rt.rows[0])
    # One formatted row, copied for every unit: python-docx's own calls cost about 2 ms a
    # paragraph, 10 s for a thousand units; a copy of the row's XML costs almost nothing.
    c = d.add_row(rt)
    for cell, size, align in zip(c, (12, 12, 12, 12, 11),
                                 ("center", "left", "center", "center", "left"), strict=True):
        d.para(cell, "x", size=size, align=align)
    proto = c[0]._tc.getparent()
    proto.getparent().remove(proto)
    for rank, u in table:
        if rank is not None:
            d.copy_row(rt, proto, [str(rank), display_name(u), format_score(u.total),
                                   u.rating or "", Path(u.source).name])

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


def _recipient_lines(items: list[str]) -> list[str]:
    """The recipients as in any report; blanks to fill by hand when none were given."""
    return recipient_lines(items) or ["- …………;", "- Lưu: VT."]


def write_summary_docx(path: Path, units: Sequence[UnitResult], rules: Rules,
                       info: tuple[Info, list[str]] | None = None) -> list[str]:
    """Write the consolidated report; the warnings of `build_summary_docx`."""
    blob, warnings = build_summary_docx(units, rules, info)
    write_atomic(path, lambda fh: fh.write(blob))
    return warnings
