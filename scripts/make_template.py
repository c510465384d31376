"""Generate the default report template (docxtpl tags), render/templates/bao-cao.docx.

The .docx is binary; this script is its reviewable source. Change the layout here, run
`python scripts/make_template.py`, and commit both. A test regenerates the template and
compares it with the committed file, so the two cannot drift.

Layout: Nghị định 30/2020/NĐ-CP, Phụ lục I (thể thức) and Phụ lục III (Mẫu 1.4 for the
report, Mẫu 2.1 for the appendix). The template holds structure and fixed wording only;
every value arrives pre-formatted from `baocao_cli.render.report.context`.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from baocao_cli.render.layout import RULE_STYLE_AGENCY, RULE_STYLE_SUMMARY

FONT = "Times New Roman"
OUT = (Path(__file__).resolve().parent.parent
       / "src" / "baocao_cli" / "render" / "templates" / "bao-cao.docx")
FIXED_TIME = (2021, 1, 1, 0, 0, 0)

# Column widths (cm). Text width on A4 with 30/15 mm margins is 16.5 cm.
# Header: 6.75 cm and 10 cm as in Mẫu 1.4 (the pair is 0.25 cm wider than the text, so the
# centred table reaches 0.125 cm into each margin, as the decree's sample does).
LEFT_COL, RIGHT_COL = 6.75, 10.0
# Signature block: Nơi nhận narrow at the left margin, the signature centred in the rest
# (Mẫu 1.4: 5.28 cm and 11.1 cm).
SIGN_LEFT, SIGN_RIGHT = 5.5, 11.0
TEXT_WIDTH = 16.5
# Width of "Độc lập - Tự do - Hạnh phúc" in Times New Roman Bold 14 pt (Liberation Serif
# Bold metrics, the same): the line under it is exactly this long.
MOTTO_CM = 6.05
CELL_MARGIN = 0.1


# ---------------------------------------------------------------- low-level helpers

# Child order of the WordprocessingML elements we touch: Word refuses (or "repairs") a
# document whose property elements are out of schema order.
ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
            "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
            "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
            "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
            "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
            "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
            "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook"],
}


def var(name: str) -> str:
    """A Jinja expression tag as docxtpl reads it."""
    return "{{ " + name + " }}"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def put(parent, name: str):
    """The child `w:name` of `parent`, created at its schema position when missing."""
    existing = parent.find(qn(f"w:{name}"))
    if existing is not None:
        return existing
    child = OxmlElement(f"w:{name}")
    order = ORDER[local(parent.tag)]
    rank = order.index(name)
    for i, sibling in enumerate(parent):
        tag = local(sibling.tag)
        if tag in order and order.index(tag) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def set_fonts(element, size: float | None = None) -> None:
    """Times New Roman in every script slot (Latin, East Asian, complex), black.

    `element` is a run (`w:r`), a paragraph's `w:pPr` (the paragraph mark) or a style.
    """
    rpr = _rpr(element)
    fonts = put(rpr, "rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        set_size(element, size)


def _rpr(element):
    if local(element.tag) in ("r", "style"):
        rpr = element.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            element.insert(0, rpr) if local(element.tag) == "r" else element.append(rpr)
        return rpr
    return put(element, "rPr")


def set_size(element, size: float) -> None:
    """`size` on a run, a paragraph mark or a style, in both the Latin and complex slots."""
    rpr = _rpr(element)
    for tag in ("sz", "szCs"):
        put(rpr, tag).set(qn("w:val"), str(int(size * 2)))


def border(ppr, side: str, size: int = 6, space: int = 1) -> None:
    pbdr = put(ppr, "pBdr")
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), "000000")
    pbdr.append(el)


# What a paragraph of Normal, and one of the body style, gives without direct formatting:
# (alignment, first-line indent, space before, after (pt), line spacing). Times New Roman
# 14 pt, black, comes from Normal in both.
NORMAL_FORMAT = ("left", False, 0, 0, 1.0)
BODY_FORMAT = ("justify", True, 0, 6, 1.15)
BODY_STYLE = ("Nội dung báo cáo", "NoiDungBaoCao")
SIZE = 14  # Normal's


class Writer:
    """Adds paragraphs with the decree's formatting to a container (body or cell).

    Each paragraph carries only what differs from its style (Normal, or the body style):
    every property written on every paragraph and run had made the report three times
    longer, which the fill, the zip, LibreOffice's import and every reader pay for."""

    def __init__(self, doc):
        self.doc = doc

    def para(self, container, text: str = "", *, size: float = 14, bold: bool = False,
             italic: bool = False, align: str = "center", indent: bool = False,
             before: float = 0, after: float = 0, keep_next: bool = False,
             line: float | None = None, body: bool = False):
        p = container.add_paragraph(style=BODY_STYLE[0] if body else None)
        fmt = p.paragraph_format
        base_align, base_indent, base_before, base_after, base_line = \
            BODY_FORMAT if body else NORMAL_FORMAT
        if align != base_align:
            fmt.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
            }[align]
        if indent != base_indent:
            fmt.first_line_indent = Cm(1.27) if indent else Cm(0)
        if before != base_before:
            fmt.space_before = Pt(before)
        if after != base_after:
            fmt.space_after = Pt(after)
        if (line if line is not None else 1.0) != base_line:
            fmt.line_spacing = line if line is not None else 1.0
        if keep_next:
            fmt.keep_with_next = True
        if text:
            self.run(p, text, size=size, bold=bold, italic=italic)
        elif size != SIZE:
            set_size(p._p.get_or_add_pPr(), size)
        return p

    def run(self, p, text: str, *, size: float = 14, bold: bool = False, italic: bool = False):
        r = p.add_run(text)
        if size != SIZE:
            set_size(r._r, size)
        if bold:
            r.font.bold = True
        if italic:
            r.font.italic = True
        return r

    def body(self, container, text: str, **kw):
        """A body paragraph (BODY_STYLE): 14 pt, justified, first line 1.27 cm, 6 pt after,
        1.15 lines."""
        kw.setdefault("align", "justify")
        kw.setdefault("indent", True)
        kw.setdefault("after", 6)
        kw.setdefault("line", 1.15)
        return self.para(container, text, body=True, **kw)

    def tag(self, container, text: str):
        """A paragraph holding only a block tag (`{%p ... %}`); docxtpl removes it."""
        return self.para(container, text, size=14, align="left")

    def rule(self, container, length_cm: float, width_cm: float, *, style: str | None = None):
        """A short solid line, centred: an empty paragraph with a top border.

        With `style` (RULE_STYLES) the paragraph is of that named style, and the fill step
        sets its indents from the text above; `length_cm` is then only the default."""
        # 5 pt before: the line stays clear of the descenders of the text above.
        p = self.para(container, "", size=1, align="center", before=5)
        ppr = p._p.get_or_add_pPr()
        if style is not None:
            ppr.insert(0, _style_ref(RULE_STYLES[style][0]))
        side = (width_cm - length_cm) / 2
        ind = put(ppr, "ind")
        ind.set(qn("w:left"), str(int(side / 2.54 * 1440)))
        ind.set(qn("w:right"), str(int(side / 2.54 * 1440)))
        border(ppr, "top", size=6, space=0)
        p.paragraph_format.space_after = Pt(0)
        return p


# Named paragraph styles of the lines sized at fill time: (style id, default length cm).
RULE_STYLES = {RULE_STYLE_AGENCY: ("DuongKeCoQuan", 2.5),
               RULE_STYLE_SUMMARY: ("DuongKeTrichYeu", 5.0)}


def _style_ref(style_id: str):
    el = OxmlElement("w:pStyle")
    el.set(qn("w:val"), style_id)
    return el


def paragraph_style(doc, name: str, style_id: str, base=None):
    """A new paragraph style `name` with the id `style_id`, based on Normal (or `base`),
    kept out of Word's quick gallery."""
    from docx.enum.style import WD_STYLE_TYPE

    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.element.set(qn("w:styleId"), style_id)
    st.base_style = base if base is not None else doc.styles["Normal"]
    st.quick_style = False
    return st


def rule_styles(doc) -> None:
    """The rules' paragraph styles: a centred top border, 1 pt text, 5 pt before, so a
    paragraph given the style in Word is such a line too."""
    for name, (style_id, _) in RULE_STYLES.items():
        st = paragraph_style(doc, name, style_id)
        pf = st.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.space_before, pf.space_after = Pt(5), Pt(0)
        pf.line_spacing = 1.0
        border(st.element.get_or_add_pPr(), "top", size=6, space=0)
        st.font.size = Pt(1)
        set_fonts(st.element, 1)


def borderless(table) -> None:
    borders = put(table._tbl.tblPr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)


def grid(table) -> None:
    borders = put(table._tbl.tblPr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)


def fixed_widths(table, widths_cm: list[float], margin_cm: float = CELL_MARGIN) -> None:
    table.autofit = False
    tblpr = table._tbl.tblPr
    put(tblpr, "tblLayout").set(qn("w:type"), "fixed")
    tblw = put(tblpr, "tblW")
    tblw.set(qn("w:w"), str(int(sum(widths_cm) / 2.54 * 1440)))
    tblw.set(qn("w:type"), "dxa")
    mar = put(tblpr, "tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(margin_cm / 2.54 * 1440)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)
    for col, w in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(w)


def clear_cell(cell) -> None:
    """python-docx gives every new cell one empty paragraph; remove it."""
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def page_number_field(p, size: float) -> None:
    """PAGE as a complex field, the form Word and LibreOffice both update."""
    def fld(kind: str):
        r = OxmlElement("w:r")
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r.append(el)
        return r

    def instr():
        r = OxmlElement("w:r")
        t = OxmlElement("w:instrText")
        t.set(qn("xml:space"), "preserve")
        t.text = " PAGE "
        r.append(t)
        return r

    def text(value: str):
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = value
        r.append(t)
        return r

    for el in (fld("begin"), instr(), fld("separate"), text("2"), fld("end")):
        p._p.append(el)
        if size != SIZE:
            set_size(el, size)


# ---------------------------------------------------------------- the document

def styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(normal.element, 14)
    pf = normal.paragraph_format
    pf.space_after = Pt(0)
    pf.space_before = Pt(0)
    pf.line_spacing = 1.0
    body = paragraph_style(doc, *BODY_STYLE)  # Writer.body's paragraphs (BODY_FORMAT)
    body.quick_style = True
    bf = body.paragraph_format
    bf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    bf.first_line_indent = Cm(1.27)
    bf.space_before, bf.space_after = Pt(0), Pt(6)
    bf.line_spacing = 1.15
    # Word's default document-wide font (docDefaults) too, so no slot falls back.
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is not None:
        rpr = rpr_default.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = put(rpr, "rFonts")
            for attr in list(fonts.attrib):
                del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)


def page_setup(doc) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Cm(21), Cm(29.7)
    s.top_margin, s.bottom_margin = Cm(2), Cm(2)
    s.left_margin, s.right_margin = Cm(3), Cm(1.5)
    s.header_distance, s.footer_distance = Cm(1), Cm(1)
    s.different_first_page_header_footer = True


def page_numbers(section) -> None:
    """Centred in the top margin, 14 pt, none on the section's first page (Phụ lục I, I.7):
    the first page has no header of its own, which Word and LibreOffice print blank; the
    later sections take the first one's headers."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number_field(p, 14)
    section.first_page_header.is_linked_to_previous = True  # no part of its own


def header_block(doc, w: Writer) -> None:
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(t)
    fixed_widths(t, [LEFT_COL, RIGHT_COL])
    left, right = t.rows[0].cells
    for c in (left, right):
        clear_cell(c)
    w.tag(left, "{%p if co_quan_chu_quan %}")
    w.para(left, "{{ co_quan_chu_quan }}", size=13)
    w.tag(left, "{%p endif %}")
    w.para(left, "{{ co_quan }}", size=13, bold=True)
    # 2/5 of the name's longest line, computed at render time (layout.rule_length_cm).
    w.rule(left, 2.5, LEFT_COL - 2 * CELL_MARGIN, style=RULE_STYLE_AGENCY)
    w.para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    w.para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    w.rule(right, MOTTO_CM, RIGHT_COL - 2 * CELL_MARGIN)
    left2, right2 = t.rows[1].cells
    for c in (left2, right2):
        clear_cell(c)
    w.para(left2, "Số: {{ so_ky_hieu }}", size=13, before=6)
    w.para(right2, "{{ noi_ngay }}", size=14, italic=True, before=6)


def title_block(doc, w: Writer) -> None:
    w.para(doc, "BÁO CÁO", size=14, bold=True, before=24, keep_next=True)
    w.para(doc, "{{ trich_yeu }}", size=14, bold=True, keep_next=True)
    w.rule(doc, 5.0, TEXT_WIDTH, style=RULE_STYLE_SUMMARY)
    w.tag(doc, "{%p if kinh_gui %}")
    p = w.para(doc, "", size=14, before=6, after=6)
    w.run(p, "Kính gửi: ", size=14)
    w.run(p, "{{ kinh_gui }}", size=14)
    w.tag(doc, "{%p endif %}")
    w.body(doc, "{{ mo_dau }}", before=12)


def heading(doc, w: Writer, text: str) -> None:
    """A section heading: body paragraph, bold, kept with what follows it."""
    w.body(doc, text, bold=True, keep_next=True)


def paragraphs(doc, w: Writer, var: str) -> None:
    w.tag(doc, "{%p for doan in " + var + " %}")
    w.body(doc, "{{ doan }}")
    w.tag(doc, "{%p endfor %}")


def section_one(doc, w: Writer) -> None:
    heading(doc, w, "I. KẾT QUẢ THỰC HIỆN CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {{ nam }}")
    heading(doc, w, "1. Công tác triển khai tự đánh giá, chấm điểm và xếp loại công tác văn "
                    "thư, lưu trữ tại cơ quan và các đơn vị trực thuộc")
    paragraphs(doc, w, "trien_khai")
    paragraphs(doc, w, "van_ban")
    heading(doc, w, "2. Kết quả tự đánh giá, chấm điểm và xếp loại công tác văn thư, lưu trữ")
    w.body(doc, "- Tổng số điểm tự chấm: {{ tong_diem }} điểm, trong đó:")
    w.tag(doc, "{%p for phan in diem_phan %}")
    w.body(doc, "+ {{ phan.ten }}: {{ phan.diem }} điểm")
    w.tag(doc, "{%p endfor %}")
    w.body(doc, "- Tự xếp loại: {{ xep_loai }}")
    w.body(doc, "- Bảng tự chấm điểm chi tiết tại Phụ lục I kèm theo Báo cáo này.")


def arrangement_table(doc, w: Writer) -> None:
    widths = [1.5, 2.0, 2.0, 2.1, 2.1, 2.0, 2.0, 2.8]
    t = doc.add_table(rows=5, cols=8)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(t)
    fixed_widths(t, widths, 0.08)
    heads = ["Năm", "Kế hoạch chỉnh lý (mét)", "Đã chỉnh lý (mét)", "Kinh phí thực hiện "
             "(triệu đồng)", None, "Nộp lưu vào Lưu trữ lịch sử (mét)",
             "Tồn đọng tại đơn vị (mét)", "Ghi chú"]
    r0, r1 = t.rows[0], t.rows[1]
    for i, text in enumerate(heads):
        if text is None:
            continue
        clear_cell(r0.cells[i])
        w.para(r0.cells[i], text, size=12, bold=True)
    for i, text in ((3, "Tỉnh hỗ trợ"), (4, "Đơn vị bố trí")):
        clear_cell(r1.cells[i])
        w.para(r1.cells[i], text, size=12, bold=True)
    r0.cells[3].merge(r0.cells[4])
    for i in (0, 1, 2, 5, 6, 7):
        r0.cells[i].merge(r1.cells[i])
    for r in (r0, r1):
        repeat_header(r)
    keys = ["nam", "ke_hoach", "da_chinh_ly", "kp_tinh", "kp_don_vi", "nop_luu", "ton_dong",
            "ghi_chu"]
    body = t.rows[3]
    loop_open, loop_close = t.rows[2], t.rows[4]
    for row, text in ((loop_open, "{%tr for dong in chinh_ly_bang %}"),
                      (loop_close, "{%tr endfor %}")):
        for c in row.cells:
            clear_cell(c)
        w.para(row.cells[0], text, size=12)
        for c in row.cells[1:]:
            w.para(c, "", size=12)
    for c, key in zip(body.cells, keys, strict=True):
        clear_cell(c)
        w.para(c, var(f"dong.{key}"), size=12, align="left" if key == "ghi_chu" else "center")
    no_split(body)
    total = t.add_row()
    for c, key in zip(total.cells, keys, strict=True):
        clear_cell(c)
        text = "Tổng cộng" if key == "nam" else ("" if key == "ghi_chu"
                                                  else var(f"chinh_ly_tong.{key}"))
        w.para(c, text, size=12, bold=True)


def section_two(doc, w: Writer) -> None:
    w.tag(doc, "{%p if muc.chinh_ly %}")
    heading(doc, w, "{{ muc.chinh_ly }}. {{ chinh_ly_tieu_de }}")
    w.tag(doc, "{%p if chinh_ly_trien_khai %}")
    heading(doc, w, "{{ tieu_muc.chinh_ly_trien_khai }}. Công tác triển khai")
    paragraphs(doc, w, "chinh_ly_trien_khai")
    w.tag(doc, "{%p endif %}")
    heading(doc, w, "{{ tieu_muc.chinh_ly_ket_qua }}. Kết quả thực hiện")
    arrangement_table(doc, w)
    w.tag(doc, "{%p if chinh_ly_ty_le %}")
    w.body(doc, "{{ chinh_ly_ty_le }}", before=6)
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p endif %}")


def sections_rest(doc, w: Writer) -> None:
    w.tag(doc, "{%p if muc.ton_tai %}")
    heading(doc, w, "{{ muc.ton_tai }}. TỒN TẠI, KHÓ KHĂN, NGUYÊN NHÂN, GIẢI PHÁP")
    for key, title in (("ton_tai", "Tồn tại, khó khăn"), ("nguyen_nhan", "Nguyên nhân"),
                       ("giai_phap", "Giải pháp")):
        w.tag(doc, "{%p if " + key + " %}")
        heading(doc, w, var(f"tieu_muc.{key}") + f". {title}")
        paragraphs(doc, w, key)
        w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if muc.kien_nghi %}")
    heading(doc, w, "{{ muc.kien_nghi }}. KIẾN NGHỊ, ĐỀ XUẤT")
    paragraphs(doc, w, "kien_nghi")
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if muc.phuong_huong %}")
    heading(doc, w, "{{ muc.phuong_huong }}. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ nam_sau }}")
    paragraphs(doc, w, "phuong_huong")
    w.tag(doc, "{%p endif %}")
    w.body(doc, "{{ ket_thuc }}")


def signature_block(doc, w: Writer) -> None:
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(t)
    fixed_widths(t, [SIGN_LEFT, SIGN_RIGHT])
    left, right = t.rows[0].cells
    for c in (left, right):
        clear_cell(c)
    w.para(left, "Nơi nhận:", size=12, bold=True, italic=True, align="left", before=12)
    w.tag(left, "{%p for nhan in noi_nhan %}")
    w.para(left, "{{ nhan }}", size=11, align="left")
    w.tag(left, "{%p endfor %}")
    w.tag(right, "{%p if quyen_han_ky %}")
    w.para(right, "{{ quyen_han_ky }}", size=14, bold=True, before=12)
    w.tag(right, "{%p endif %}")
    w.para(right, "{{ chuc_vu_ky }}", size=14, bold=True,
           before=0)
    for _ in range(4):
        w.para(right, "", size=14)
    w.para(right, "{{ nguoi_ky }}", size=14, bold=True)
    no_split(t.rows[0])


def appendix(doc, w: Writer) -> None:
    # A section of its own on a new page: Phụ lục I numbers its pages separately (Phụ lục
    # I, III.1.đ), from 1, without a number on its first page.
    doc.add_section(WD_SECTION.NEW_PAGE)
    brk = doc.paragraphs[-1]
    set_size(brk._p.get_or_add_pPr(), 1)
    sectpr = doc.sections[-1]._sectPr
    pgnum = OxmlElement("w:pgNumType")
    pgnum.set(qn("w:start"), "1")
    before = sectpr.find(qn("w:pgMar"))
    before.addnext(pgnum)
    w.para(doc, "Phụ lục I", size=14, bold=True)
    w.para(doc, "BẢNG TỰ CHẤM ĐIỂM KẾT QUẢ THỰC HIỆN CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {{ nam }}",
           size=14, bold=True)
    w.para(doc, "(Kèm theo Báo cáo số {{ so_ky_hieu }} {{ ngay_chu }} của {{ ten_co_quan }})",
           size=14, italic=True)
    w.rule(doc, 3.0, TEXT_WIDTH)
    w.para(doc, "", size=6)
    widths = [1.3, 8.2, 2.1, 2.1, 2.8]
    t = doc.add_table(rows=8, cols=5)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(t)
    fixed_widths(t, widths, 0.1)
    head = t.rows[0]
    titles = ["STT", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Ghi chú"]
    for c, text in zip(head.cells, titles, strict=True):
        clear_cell(c)
        w.para(c, text, size=12, bold=True)
    repeat_header(head)
    keys = ["stt", "tieu_chi", "toi_da", "tu_cham", "ghi_chu"]
    # docxtpl keeps one {%tr %} tag per row, so each tag has a row of its own.
    bold_row, plain_row = t.rows[3], t.rows[5]
    for i, text in ((1, "{%tr for dong in bang_diem %}"), (2, "{%tr if dong.dam %}"),
                    (4, "{%tr else %}"), (6, "{%tr endif %}"), (7, "{%tr endfor %}")):
        row = t.rows[i]
        for c in row.cells:
            clear_cell(c)
        w.para(row.cells[0], text, size=12)
        for c in row.cells[1:]:
            w.para(c, "", size=12)
    for row, bold in ((bold_row, True), (plain_row, False)):
        for c, key in zip(row.cells, keys, strict=True):
            clear_cell(c)
            align = "left" if key in ("tieu_chi", "ghi_chu") else "center"
            w.para(c, var(f"dong.{key}"), size=12, bold=bold, align=align)
        no_split(row)
    for label, value, bold in (("Tổng cộng", "tong", True), ("Tự xếp loại", "xep_loai", True)):
        row = t.add_row()
        for c in row.cells:
            clear_cell(c)
        w.para(row.cells[0], "", size=12)
        w.para(row.cells[1], label, size=12, bold=bold, align="left")
        if value == "tong":
            w.para(row.cells[2], "{{ bang_diem_toi_da }}", size=12, bold=True)
            w.para(row.cells[3], "{{ tong_diem }}", size=12, bold=True)
        else:
            w.para(row.cells[2], "", size=12)
            w.para(row.cells[3], "{{ xep_loai }}", size=12, bold=True)
        w.para(row.cells[4], "", size=12)


def new_document() -> tuple[Any, Writer]:
    """A blank A4 document with the report's styles, and its writer; for both templates."""
    doc = Document()
    # Drop the default empty first paragraph.
    for p in list(doc.paragraphs):
        p._p.getparent().remove(p._p)
    styles(doc)
    rule_styles(doc)
    page_setup(doc)
    return doc, Writer(doc)


def finish(doc: Any, title: str, author: str) -> bytes:
    """Page numbers, fixed properties, python-docx's leftovers dropped, fixed zip dates:
    the same bytes from every run of the script."""
    import datetime as dt

    page_numbers(doc.sections[0])
    for section in doc.sections[1:]:
        section.different_first_page_header_footer = True
    props = doc.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.revision = 1
    props.created = props.modified = dt.datetime(2021, 1, 1)
    props.comments = ""
    slim(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def write_main(argv: list[str], build: Callable[[], bytes], default: Path) -> int:
    """The scripts' command line: write the template to argv[1], else to `default`."""
    out = Path(argv[1]) if len(argv) > 1 else default
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build())
    print(out)
    return 0


def build() -> bytes:
    doc, w = new_document()
    header_block(doc, w)
    title_block(doc, w)
    section_one(doc, w)
    section_two(doc, w)
    sections_rest(doc, w)
    signature_block(doc, w)
    appendix(doc, w)
    return finish(doc, "Báo cáo công tác văn thư, lưu trữ", "baocao")


def slim(doc) -> None:
    """Drop what python-docx's blank document carries that a report never uses.

    Its 350 KB of styles and 440 KB of Word-2010 style copies were parsed and written back
    for every report (most of a batch's time), and its thumbnail is a picture of another
    document. Only the styles the template refers to, with what they are based on, stay.
    """
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            pkg.rels.pop(rid)
    numbered = any(True for _ in doc.element.iter(qn("w:numPr")))
    for rid, rel in list(doc.part.rels.items()):
        # python-docx's numbering part names list styles that are not kept below
        # the web settings: nothing in a report refers to them (the theme stays: the
        # schema check requires the main part to have one)
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/webSettings")) or (
                rel.reltype.endswith("/numbering") and not numbered):
            doc.part.drop_rel(rid)
    styles_el = doc.styles.element
    latent = styles_el.find(qn("w:latentStyles"))
    if latent is not None:
        styles_el.remove(latent)
    used: set[str] = set()
    parts = [doc.element, *(h.part.element for sec in doc.sections  # reading a linked
                            for h in (sec.header, sec.first_page_header)  # one would add it
                            if not h.is_linked_to_previous)]
    for root in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used.update(el.get(qn("w:val")) for el in root.iter(qn(tag)))
    by_id = {st.get(qn("w:styleId")): st for st in styles_el.iter(qn("w:style"))}
    keep = {sid for sid, st in by_id.items() if st.get(qn("w:default")) in ("1", "true")}
    todo = list(used | keep)
    while todo:
        st = by_id.get(todo.pop())
        if st is None:
            continue
        for link in ("w:basedOn", "w:next", "w:link"):
            el = st.find(qn(link))
            if el is not None and el.get(qn("w:val")) not in keep:
                keep.add(el.get(qn("w:val")))
                todo.append(el.get(qn("w:val")))
        keep.add(st.get(qn("w:styleId")))
    for sid, st in by_id.items():
        if sid not in keep:
            styles_el.remove(st)


# The extended properties of python-docx's blank document say "Microsoft Macintosh Word"
# and "Normal.dotm"; a report says what made it, nothing else.
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="'
           b'http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b"<Application>baocao</Application><DocSecurity>0</DocSecurity></Properties>")


def normalise_zip(blob: bytes) -> bytes:
    """Fixed entry times and order, so the same script gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, APP_XML if name == "docProps/app.xml" else src.read(name))
    return out.getvalue()


def main(argv: list[str]) -> int:
    return write_main(argv, build, OUT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
