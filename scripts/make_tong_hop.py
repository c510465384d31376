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

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_template import (
    SIGN_LEFT,
    SIGN_RIGHT,
    TEXT_WIDTH,
    Writer,
    borderless,
    clear_cell,
    fixed_widths,
    grid,
    header_block,
    no_split,
    normalise_zip,
    page_numbers,
    page_setup,
    repeat_header,
    rule_styles,
    slim,
    styles,
    var,
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


def appendix(doc, w: Writer) -> None:
    p = w.para(doc, "Phụ lục I", size=14, bold=True)
    p.paragraph_format.page_break_before = True
    w.para(doc, "KẾT QUẢ XẾP HẠNG CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM {{ nam }}", size=14,
           bold=True)
    w.para(doc, "(Kèm theo Báo cáo số {{ so_ky_hieu }} của {{ ten_co_quan }})", size=14,
           italic=True, after=6)
    widths = [1.4, 6.6, 2.3, 2.6, 3.6]
    t = doc.add_table(rows=4, cols=5)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid(t)
    fixed_widths(t, widths, 0.1)
    head = t.rows[0]
    for c, text in zip(head.cells, ["Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Xếp loại",
                                    "Tệp"], strict=True):
        clear_cell(c)
        w.para(c, text, size=12, bold=True)
    repeat_header(head)
    for i, text in ((1, "{%tr for dong in xep_hang %}"), (3, "{%tr endfor %}")):
        row = t.rows[i]
        for c in row.cells:
            clear_cell(c)
        w.para(row.cells[0], text, size=12)
        for c in row.cells[1:]:
            w.para(c, "", size=12)
    keys = ("hang", "ten", "diem", "xep_loai", "tep")
    for c, key, size, align in zip(t.rows[2].cells, keys, (12, 12, 12, 12, 11),
                                   ("center", "left", "center", "center", "left"),
                                   strict=True):
        clear_cell(c)
        w.para(c, var(f"dong.{key}"), size=size, align=align)
    no_split(t.rows[2])


def build() -> bytes:
    doc = Document()
    for p in list(doc.paragraphs):
        p._p.getparent().remove(p._p)
    styles(doc)
    rule_styles(doc)
    page_setup(doc)
    w = Writer(doc)
    header_block(doc, w)
    title_block(doc, w)
    body(doc, w)
    signature_block(doc, w)
    appendix(doc, w)
    for section in doc.sections:
        page_numbers(section)
    last = doc.paragraphs[-1]
    last.paragraph_format.space_after = Pt(0)
    props = doc.core_properties
    props.title = "Báo cáo tổng hợp công tác văn thư, lưu trữ"
    props.author = ""
    props.last_modified_by = ""
    props.revision = 1
    props.created = props.modified = dt.datetime(2021, 1, 1)
    props.comments = ""
    slim(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue())


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build())
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
