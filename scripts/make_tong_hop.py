"""Generate the consolidated report's template (docxtpl tags), render/templates/tong-hop.docx.

The Sở Nội vụ's report of a batch (`baocao batch` writes it as tong-hop.docx) is filled
through the same path as a unit's report, so an office can give it its own header, wording
and layout: `baocao template export MẪU.docx --tong-hop`, edit it in Word, then
`baocao batch … --template-tong-hop MẪU.docx`. This script is the template's reviewable
source; a test regenerates it and compares it with the committed file.

Layout as the unit template (scripts/make_template.py): Nghị định 30/2020/NĐ-CP, Phụ lục
I and III. The chart is a picture named `bieu_do` whose image the fill step replaces; the
ranked table is one `{%tr for %}` row.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_template import (
    SIGN_LEFT,
    SIGN_RIGHT,
    TEXT_WIDTH,
    Writer,
    borderless,
    clear_cell,
    finish,
    fixed_widths,
    grid,
    header_block,
    new_document,
    no_split,
    paragraph_style,
    repeat_header,
    set_fonts,
    var,
    write_main,
)

from baocao_cli.render.layout import RULE_STYLE_SUMMARY

OUT = (Path(__file__).resolve().parent.parent
       / "src" / "baocao_cli" / "render" / "templates" / "tong-hop.docx")
# The chart's picture: summary/chart.py draws 1260 × 680 px; shown 15 cm wide.
CHART_PX = (1260, 680)
CHART_CM = 15.0
CHART_NAME = "bieu_do"


def _placeholder_png() -> bytes:
    """A blank image of the chart's size: the fill step puts the real chart in its place."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", CHART_PX, 1).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def title_block(doc, w: Writer) -> None:
    w.para(doc, "BÁO CÁO", size=14, bold=True, before=24, keep_next=True)
    w.para(doc, "{{ trich_yeu }}", size=14, bold=True, keep_next=True)
    w.rule(doc, 5.0, TEXT_WIDTH, style=RULE_STYLE_SUMMARY)
    w.tag(doc, "{%p if kinh_gui %}")
    w.para(doc, "Kính gửi: {{ kinh_gui }}", size=14, before=6, after=6)
    w.tag(doc, "{%p endif %}")
    w.body(doc, "{{ mo_dau }}", before=12)


def heading(doc, w: Writer, text: str) -> None:
    w.body(doc, text, bold=True, keep_next=True)


def loop(doc, w: Writer, head: str, text: str) -> None:
    w.tag(doc, "{%p for " + head + " %}")
    w.body(doc, text)
    w.tag(doc, "{%p endfor %}")


def body(doc, w: Writer) -> None:
    heading(doc, w, "I. TÌNH HÌNH TỔNG HỢP")
    w.body(doc, "- Số cơ quan, đơn vị, địa phương gửi báo cáo: {{ so_don_vi }}.")
    w.body(doc, "- Số báo cáo hợp lệ, đã tổng hợp: {{ so_hop_le }}.")
    w.body(doc, "- Số báo cáo chưa hợp lệ, chưa tổng hợp được: {{ so_chua_hop_le }}"
                "{% if don_vi_loi %} (chi tiết tại mục IV){% endif %}.")

    heading(doc, w, "II. KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI")
    w.body(doc, "Trong {{ so_hop_le }} cơ quan, đơn vị, địa phương có báo cáo hợp lệ:")
    loop(doc, w, "loai in xep_loai",
         "- Xếp loại {{ loai.ten }}: {{ loai.so }} đơn vị, chiếm {{ loai.ty_le }}.")
    w.tag(doc, "{%p if bieu_do %}")
    pic = w.para(doc, "", size=14, before=6, after=6, keep_next=True)
    pic.add_run().add_picture(io.BytesIO(_placeholder_png()), width=Cm(CHART_CM))
    inline = pic.runs[-1]._r.xpath(".//wp:docPr")[0]
    inline.set("name", CHART_NAME)
    inline.set("descr", "Biểu đồ kết quả xếp loại (bản vẽ thay vào khi lập báo cáo)")
    w.para(doc, "Biểu đồ: Kết quả xếp loại công tác văn thư, lưu trữ năm {{ nam }}", size=12,
           italic=True, after=6)
    w.tag(doc, "{%p else %}")
    w.para(doc, "(Không vẽ được biểu đồ: máy không có phông chữ tiếng Việt như Times New "
                "Roman)", size=12, italic=True, before=6, after=6)
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if diem_cao_nhat %}")
    w.body(doc, "- Điểm cao nhất: {{ diem_cao_nhat }} điểm ({{ don_vi_cao_nhat }}).")
    w.body(doc, "- Điểm bình quân: {{ diem_binh_quan }} điểm.")
    w.tag(doc, "{%p endif %}")
    w.body(doc, "- Bảng xếp hạng chi tiết các cơ quan, đơn vị, địa phương tại Phụ lục I kèm "
                "theo Báo cáo này.")

    heading(doc, w, "III. SỐ LIỆU TỔNG HỢP")
    w.body(doc, "1. Văn bản (theo số liệu các báo cáo hợp lệ):", bold=True, keep_next=True)
    loop(doc, w, "nhom in van_ban", "- {{ nhom.ten }}: {{ nhom.so }} văn bản.")
    w.body(doc, "2. Chỉnh lý tài liệu:", bold=True, keep_next=True)
    w.body(doc, "- Tổng số tài liệu đã chỉnh lý: {{ chinh_ly.da_chinh_ly }} mét / kế hoạch "
                "{{ chinh_ly.ke_hoach }} mét{% if chinh_ly.ty_le %}, đạt {{ chinh_ly.ty_le }}"
                "{% endif %}.")

    heading(doc, w, "IV. CÁC ĐƠN VỊ CHƯA CÓ BÁO CÁO HỢP LỆ")
    w.tag(doc, "{%p if not don_vi_loi %}")
    w.body(doc, "Tất cả các báo cáo nhận được đều hợp lệ.")
    w.tag(doc, "{%p endif %}")
    loop(doc, w, "loi in don_vi_loi", "- {{ loi.tep }}: {{ loi.loi }}")
    year_sections(doc, w)
    # Kept with the signature below (keep with next, a row that does not split): the
    # closing sentence, Nơi nhận and the signature never part across pages.
    w.body(doc, "{{ ket_thuc }}", keep_next=True)


def signature_block(doc, w: Writer) -> None:
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(t)
    fixed_widths(t, [SIGN_LEFT, SIGN_RIGHT])
    left, right = t.rows[0].cells
    for c in (left, right):
        clear_cell(c)
    w.para(left, "Nơi nhận:", size=12, bold=True, italic=True, align="left", before=12,
           keep_next=True)
    w.tag(left, "{%p for nhan in noi_nhan %}")
    w.para(left, "{{ nhan }}", size=11, align="left", keep_next=True)
    w.tag(left, "{%p endfor %}")
    w.tag(right, "{%p if quyen_han_ky %}")
    w.para(right, "{{ quyen_han_ky }}", size=14, bold=True, before=12, keep_next=True)
    w.tag(right, "{%p endif %}")
    w.para(right, "{{ chuc_vu_ky }}", size=14, bold=True, keep_next=True)
    for _ in range(4):
        w.para(right, "", size=14, keep_next=True)
    w.para(right, "{{ nguoi_ky }}", size=14, bold=True)
    no_split(t.rows[0])


def loop_table(doc, w: Writer, headers: list[str], widths: list[float], items: str,
               keys: tuple[str, ...]) -> None:
    """A bordered table: a header row repeated on every page, then one `{%tr for %}` row
    per item of `items` (its `keys` in the cells, the second one left-aligned)."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(t)
    fixed_widths(t, widths, 0.1)
    head = t.rows[0]
    for c, text in zip(head.cells, headers, strict=True):
        clear_cell(c)
        w.para(c, text, size=12, bold=True)
    repeat_header(head)
    for i, text in ((1, "{%tr for dong in " + items + " %}"), (3, "{%tr endfor %}")):
        row = t.rows[i]
        for c in row.cells:
            clear_cell(c)
        w.para(row.cells[0], text, size=12)
        for c in row.cells[1:]:
            w.para(c, "", size=12)
    for n, (c, key) in enumerate(zip(t.rows[2].cells, keys, strict=True)):
        clear_cell(c)
        cell_para(c, var(f"dong.{key}"), small=key == "tep",
                  align="left" if n == 1 or key == "tep" else "center")
    no_split(t.rows[2])


# The repeated row's paragraphs take their font, size, spacing and alignment from named
# styles, not from properties written on each: the ranked table of 5,000 units is 3,000
# bytes a row lighter, which the fill, the zip and every reader of the document pay for.
CELL_STYLE = ("Ô bảng tổng hợp", "OBang")  # centred
CELL_STYLE_LEFT = ("Ô bảng tổng hợp, trái", "OBangTrai")


def cell_style(doc) -> None:
    """12 pt Times New Roman, black, single-spaced, no indent or space, centred: a table
    cell; and the same aligned left (names, files)."""
    from docx.shared import RGBColor

    st = paragraph_style(doc, *CELL_STYLE)
    pf = st.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.first_line_indent = pf.left_indent = pf.right_indent = Cm(0)
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    pf.keep_with_next = False
    st.font.bold = st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(st.element, 12)
    left = paragraph_style(doc, *CELL_STYLE_LEFT, base=st)
    left.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def cell_para(cell, text: str, *, small: bool, align: str) -> None:
    """A paragraph of CELL_STYLE (or its left-aligned twin), 11 pt for a file's name."""
    p = cell.add_paragraph(style=(CELL_STYLE if align == "center" else CELL_STYLE_LEFT)[0])
    run = p.add_run(text)
    if small:
        run.font.size = Pt(11)
        run._r.get_or_add_rPr().append(_size_cs(11))


def _size_cs(size: float):
    el = OxmlElement("w:szCs")
    el.set(qn("w:val"), str(int(size * 2)))
    return el


def year_sections(doc, w: Writer) -> None:
    """The Sở Nội vụ's year after section IV, each only when its option was given: the
    roster (who submitted, ratings per Cấp), last year, the review."""
    w.tag(doc, "{%p if danh_sach %}")
    heading(doc, w, "{{ danh_sach.muc }}. TÌNH HÌNH NỘP BÁO CÁO THEO DANH SÁCH ĐƠN VỊ")
    w.body(doc, "- Số cơ quan, đơn vị, địa phương trong danh sách: {{ danh_sach.so_don_vi }}; "
                "đã nộp báo cáo: {{ danh_sach.da_nop }}; chưa nộp: {{ danh_sach.so_chua_nop }}.")
    w.tag(doc, "{%p if danh_sach.chua_nop %}")
    w.body(doc, "- Các cơ quan, đơn vị, địa phương chưa nộp báo cáo: {{ danh_sach.chua_nop }}.")
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if danh_sach.ngoai_danh_sach %}")
    w.body(doc, "- Báo cáo của đơn vị không có trong danh sách: "
                "{{ danh_sach.ngoai_danh_sach }}.")
    w.tag(doc, "{%p endif %}")
    w.body(doc, "- Kết quả xếp loại theo cấp:", keep_next=True)
    loop_table(doc, w, ["Cấp", "Số đơn vị", "Đã nộp", "Kết quả xếp loại"],
               [3.6, 1.9, 1.9, 9.1], "theo_cap", ("cap", "so_don_vi", "da_nop", "xep_loai"))
    w.para(doc, "", size=6)
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if nam_truoc %}")
    heading(doc, w, "{{ nam_truoc.muc }}. SO VỚI NĂM TRƯỚC")
    w.body(doc, "So với năm trước: {{ nam_truoc.tang }} đơn vị tăng xếp loại, "
                "{{ nam_truoc.giam }} đơn vị giảm, {{ nam_truoc.giu_nguyen }} đơn vị giữ "
                "nguyên.")
    w.tag(doc, "{%p if nam_truoc.moi %}")
    w.body(doc, "- Đơn vị có báo cáo năm nay, năm trước chưa có: {{ nam_truoc.moi }}.")
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if nam_truoc.khong_con %}")
    w.body(doc, "- Đơn vị năm trước có, năm nay không có báo cáo: {{ nam_truoc.khong_con }}.")
    w.tag(doc, "{%p endif %}")
    w.body(doc, "- Chi tiết thay đổi của từng đơn vị tại Phụ lục II kèm theo Báo cáo này.")
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if tham_dinh %}")
    heading(doc, w, "{{ tham_dinh.muc }}. KẾT QUẢ THẨM ĐỊNH")
    w.body(doc, "Sau thẩm định {{ tham_dinh.so_tham_dinh }} báo cáo, {% if dieu_chinh %}"
                "{{ tham_dinh.so_dieu_chinh }} đơn vị được điều chỉnh điểm; thứ hạng và xếp "
                "loại đề nghị theo điểm thẩm định:{% else %}không đơn vị nào phải điều chỉnh "
                "điểm.{% endif %}")
    loop(doc, w, "dc in dieu_chinh",
         "- {{ dc.ten }}: tự chấm {{ dc.tu_cham }} điểm, thẩm định {{ dc.tham_dinh }} điểm "
         "({{ dc.chenh_lech }}), xếp loại {{ dc.xep_loai }}{% if dc.ghi_chu %}; "
         "{{ dc.ghi_chu }}{% endif %}.")
    w.tag(doc, "{%p endif %}")


def appendix(doc, w: Writer) -> None:
    p = w.para(doc, "Phụ lục I", size=14, bold=True)
    p.paragraph_format.page_break_before = True
    w.para(doc, "KẾT QUẢ XẾP HẠNG CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {{ nam }}", size=14,
           bold=True)
    w.para(doc, "(Kèm theo Báo cáo số {{ so_ky_hieu }} của {{ ten_co_quan }})", size=14,
           italic=True, after=6)
    w.tag(doc, "{%p if tham_dinh %}")
    loop_table(doc, w, ["Hạng", "Cơ quan, đơn vị", "Điểm tự chấm", "Điểm thẩm định",
                        "Xếp loại", "Tệp"], [1.3, 5.3, 2.0, 2.2, 2.3, 3.4], "xep_hang",
               ("hang", "ten", "tu_cham", "tham_dinh", "xep_loai", "tep"))
    w.tag(doc, "{%p else %}")
    loop_table(doc, w, ["Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Xếp loại", "Tệp"],
               [1.4, 6.6, 2.3, 2.6, 3.6], "xep_hang",
               ("hang", "ten", "diem", "xep_loai", "tep"))
    w.tag(doc, "{%p endif %}")
    w.tag(doc, "{%p if nam_truoc %}")
    p = w.para(doc, "Phụ lục II", size=14, bold=True)
    p.paragraph_format.page_break_before = True
    w.para(doc, "KẾT QUẢ NĂM {{ nam }} SO VỚI NĂM TRƯỚC", size=14, bold=True)
    w.para(doc, "(Kèm theo Báo cáo số {{ so_ky_hieu }} của {{ ten_co_quan }})", size=14,
           italic=True, after=6)
    loop_table(doc, w, ["STT", "Cơ quan, đơn vị", "Điểm năm trước", "Xếp loại năm trước",
                        "Điểm năm nay", "Xếp loại năm nay", "Thay đổi", "So với năm trước"],
               [1.1, 4.5, 1.6, 1.9, 1.6, 1.9, 1.6, 2.3], "thay_doi",
               ("stt", "ten", "diem_truoc", "xep_loai_truoc", "diem", "xep_loai", "thay_doi",
                "so_voi"))
    w.tag(doc, "{%p endif %}")


def build() -> bytes:
    doc, w = new_document()
    cell_style(doc)
    header_block(doc, w)
    title_block(doc, w)
    body(doc, w)
    signature_block(doc, w)
    appendix(doc, w)
    last = doc.paragraphs[-1]
    last.paragraph_format.space_after = Pt(0)
    return finish(doc, "Báo cáo tổng hợp công tác văn thư, lưu trữ", "")


def main(argv: list[str]) -> int:
    return write_main(argv, build, OUT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
