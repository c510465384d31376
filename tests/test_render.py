"""The rendered report read back with python-docx: text, numbering, escaping, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx_text import effective_paragraph, effective_run, reading_order, text_runs
from factory import set_info, unit_sheets, write_book

from baocao_cli import api

EXPECTED = Path(__file__).parent / "data" / "expected-example.txt"


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import EXAMPLE

    out = tmp_path_factory.mktemp("ex") / "bc.docx"
    built = api.build(EXAMPLE, out)
    assert built.output == out, [i.message for i in built.checked.issues]
    return out


def _build(tmp_path: Path, sheets) -> Path:
    out = tmp_path / "u.docx"
    built = api.build(write_book(tmp_path / "u.xlsx", sheets), out)
    assert built.output == out, [i.message for i in built.checked.issues]
    return out


def test_example_text_matches_expected(example_docx: Path) -> None:
    """The seed report, as the tool writes it (slips corrected: section II is 2019-2021)."""
    assert reading_order(example_docx) == EXPECTED.read_text(encoding="utf-8").splitlines()


def test_example_totals_and_corrections(example_docx: Path) -> None:
    text = "\n".join(reading_order(example_docx))
    assert "Văn bản đi: tổng số 12.410 văn bản" in text
    assert "GIAI ĐOẠN 2019-2021" in text and "GIAI ĐOẠN 2019-2020" not in text
    assert "Tự xếp loại: Tốt" in text
    assert "+ Kết quả được cộng điểm (điểm cộng): 0 điểm" in text
    assert "+ Trừ điểm (điểm trừ): 0 điểm" in text
    assert text.count("./.") == 1


def test_page_setup_a4_and_margins(example_docx: Path) -> None:
    s = Document(str(example_docx)).sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    assert round(s.top_margin.mm) == 20 and round(s.bottom_margin.mm) == 20
    assert round(s.left_margin.mm) == 30 and round(s.right_margin.mm) == 15


def test_times_new_roman_everywhere(example_docx: Path) -> None:
    """Every run with text prints in Times New Roman in every script slot, whether the run,
    its style or the document's defaults say so; and Normal says so itself."""
    doc = Document(str(example_docx))
    runs = list(text_runs(doc))
    assert len(runs) > 50
    for p, r in runs:
        fonts = effective_run(doc, p, r)["fonts"]
        assert set(fonts.values()) == {"Times New Roman"}, (fonts, "".join(r.itertext()))
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)


def _runs_with(doc, text: str):
    """The paragraph whose text is `text`, and its runs with text."""
    for p in doc.element.body.iter(qn("w:p")):
        t = "".join(x.text or "" for x in p.iter(qn("w:t")))
        if t == text:
            return p, [r for q, r in text_runs(doc, p) if q is p]
    raise AssertionError(f"no paragraph {text!r}")


@pytest.mark.parametrize(("text", "size", "bold", "italic"), [
    ("UBND TỈNH HÀ TĨNH", 13, False, False),
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", 13, True, False),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, True, False),
    ("Độc lập - Tự do - Hạnh phúc", 14, True, False),
    ("Số: 218/BC-SLĐTBXH", 13, False, False),
    ("Hà Tĩnh, ngày 24 tháng 11 năm 2021", 14, False, True),
    ("BÁO CÁO", 14, True, False),
    ("Nơi nhận:", 12, True, True),
    ("- Lưu: VT, VP.", 11, False, False),
    ("KT. GIÁM ĐỐC", 14, True, False),
    ("PHÓ GIÁM ĐỐC", 14, True, False),
    ("Đinh Hữu Công", 14, True, False),
])
def test_header_and_signature_formatting(example_docx: Path, text: str, size: int, bold: bool,
                                         italic: bool) -> None:
    doc = Document(str(example_docx))
    p, runs = _runs_with(doc, text)
    assert runs
    for r in runs:
        printed = effective_run(doc, p, r)
        assert (printed["size"], printed["bold"], printed["italic"]) == (size, bold, italic), \
            text


def test_body_paragraph_format(example_docx: Path) -> None:
    doc = Document(str(example_docx))
    p, _ = _runs_with(doc, "I. KẾT QUẢ THỰC HIỆN CÔNG TÁC VĂN THƯ, LƯU TRỮ NĂM 2021")
    f = effective_paragraph(doc, p)
    assert f["first_line_cm"] == 1.27
    assert f["after_pt"] == 6
    assert 1.0 <= f["line"] <= 1.5
    assert f["alignment"] == "both"  # justified


def test_page_number_from_page_two(example_docx: Path) -> None:
    s = Document(str(example_docx)).sections[0]
    assert s.different_first_page_header_footer
    instr = "".join(t.text for t in s.header._element.iter(qn("w:instrText")))
    assert "PAGE" in instr
    assert not list(s.first_page_header._element.iter(qn("w:instrText")))


def test_appendix_on_a_new_page(example_docx: Path) -> None:
    doc = Document(str(example_docx))
    body = list(doc.element.body.iterchildren())
    idx = next(i for i, el in enumerate(body)
               if "".join(t.text or "" for t in el.iter(qn("w:t"))) == "Phụ lục I")
    before = body[idx - 1]
    breaks = [b for b in before.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    # Or a section break to a new page (its own page numbering, Phụ lục I, III.1.đ).
    sections = [s for s in before.iter(qn("w:sectPr"))
                if s.find(qn("w:type")) is None
                or s.find(qn("w:type")).get(qn("w:val")) in ("nextPage", "oddPage", "evenPage")]
    assert breaks or sections, "no page break before the appendix"


def test_core_properties(example_docx: Path) -> None:
    props = Document(str(example_docx)).core_properties
    assert props.title.startswith("Kết quả thực hiện công tác văn thư, lưu trữ năm 2021")
    assert props.author == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert props.created.date().isoformat() == "2021-11-24"


def test_numbering_closes_up_when_sections_are_empty(tmp_path: Path) -> None:
    sheets = unit_sheets()
    del sheets["Chỉnh lý"]
    set_info(sheets, "ke_hoach_chinh_ly", None)
    set_info(sheets, "giai_doan", None)
    sheets["Nội dung"] = [["Mục", "Nội dung"], ["Nguyên nhân", "Thiếu kho."],
                          ["Kiến nghị", "Cấp kinh phí."], ["Phương hướng", "Số hóa."]]
    lines = reading_order(_build(tmp_path, sheets))
    body = lines[: lines.index("Phụ lục I")]
    heads = [x for x in body if x[:3] in ("II.", "III", "IV.", "V. ")]
    assert heads == ["II. TỒN TẠI, KHÓ KHĂN, NGUYÊN NHÂN, GIẢI PHÁP",
                     "III. KIẾN NGHỊ, ĐỀ XUẤT", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2022"]
    assert "1. Nguyên nhân" in lines  # the only subsection is 1
    assert not any(x.startswith("2. Nguyên nhân") for x in lines)
    assert "Kết quả thực hiện công tác văn thư, lưu trữ năm 2021" in lines  # default trích yếu


def test_unit_report_content(tmp_path: Path) -> None:
    lines = reading_order(_build(tmp_path, unit_sheets()))
    assert "Số: 05/BC-UBND" in lines
    assert "Kỳ Tân, ngày 05 tháng 01 năm 2022" in lines
    assert "- Tổng số điểm tự chấm: 74,75 điểm, trong đó:" in lines
    assert "- Văn bản đến: tổng số 1.500 văn bản, gồm: 1.500 Công văn." in lines
    assert "TM. ỦY BAN NHÂN DÂN" in lines and "CHỦ TỊCH" in lines
    assert lines[lines.index("Tổng cộng") + 1: lines.index("Tổng cộng") + 3] == ["22", "20,5"]
    assert any(x.endswith("UBND xã Kỳ Tân báo cáo UBND huyện./.") or
               x.endswith("Ủy ban nhân dân xã Kỳ Tân báo cáo UBND huyện./.") for x in lines)
    assert lines[-2:] == ["Tự xếp loại", "Khá"]


def test_values_are_escaped_never_evaluated(tmp_path: Path) -> None:
    sheets = unit_sheets()
    set_info(sheets, "ten_co_quan", "R&D <x> {{ 7*7 }}")
    sheets["Nội dung"].append(["Kiến nghị", "{% if true %}X{% endif %} & <b>đậm</b>"])
    sheets["Nơi nhận"].insert(1, ["{{ nam }} & co"])
    out = _build(tmp_path, sheets)
    text = "\n".join(reading_order(out))
    assert "R&D <x> {{ 7*7 }}" in text
    assert "{% if true %}X{% endif %} & <b>đậm</b>" in text
    assert "- {{ nam }} & co;" in text
    assert "49" not in text.replace("2021", "")


def test_blank_number_and_date_leave_room_to_write(tmp_path: Path) -> None:
    sheets = unit_sheets()
    set_info(sheets, "so", None)
    set_info(sheets, "ngay", None)
    out = _build(tmp_path, sheets)
    lines = reading_order(out)
    so = next(x for x in lines if x.startswith("Số:"))
    assert so.endswith("/BC-UBND") and so.replace(" ", "") == "Số:/BC-UBND"
    date = next(x for x in lines if x.startswith("Kỳ Tân, ngày"))
    assert "tháng" in date and "năm" in date
    text = "\n".join(lines)
    for bad in ("None", "nan", "{{", "{%"):
        assert bad not in text
