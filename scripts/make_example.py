"""Generate the shipped example workbook ``examples/so-ldtbxh-ha-tinh-2021.xlsx``.

The example carries the data and paragraphs of the seed report 218/BC-SLĐTBXH
(Sở LĐ-TB&XH Hà Tĩnh, 24/11/2021) in the shape of the input workbook contract.
A binary .xlsx cannot be reviewed in a diff; this script can.
Change the example here, then re-run from the repository root:

    python scripts/make_example.py

The output is deterministic: fixed document properties and fixed zip timestamps,
so re-running without changes gives a byte-identical file.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

OUTPUT = Path("examples/so-ldtbxh-ha-tinh-2021.xlsx")
# `baocao init --example` ships the same workbook inside the package.
PACKAGED = Path("src/baocao_cli/data/example.xlsx")
FIXED_TIME = datetime.datetime(2021, 11, 24, 0, 0, 0)
NUMBER_FORMAT = "#,##0.###"
DATE_FORMAT = "DD/MM/YYYY"

Cell = str | int | float | datetime.date | None

# --- Thông tin: (Mã, Giá trị, Nội dung) -------------------------------------------

THONG_TIN: list[tuple[str, Cell, str]] = [
    ("co_quan_chu_quan", "UBND TỈNH HÀ TĨNH", "Tên cơ quan chủ quản"),
    ("co_quan", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Tên cơ quan ban hành"),
    ("ten_co_quan", "Sở Lao động - Thương binh và Xã hội", "Tên cơ quan trong lời văn"),
    ("ky_hieu", "SLĐTBXH", "Chữ viết tắt tên cơ quan trong số ký hiệu"),
    ("so", 218, "Số văn bản"),
    ("dia_danh", "Hà Tĩnh", "Địa danh"),
    ("ngay", datetime.date(2021, 11, 24), "Ngày ban hành"),
    ("nam", 2021, "Năm báo cáo"),
    (
        "trich_yeu",
        "Kết quả thực hiện công tác văn thư, lưu trữ năm 2021 và kết quả thực hiện"
        " kế hoạch chỉnh lý tài liệu của các cơ quan, đơn vị, địa phương"
        " giai đoạn 2019-2021",
        "Trích yếu nội dung",
    ),
    ("kinh_gui", None, "Kính gửi (nếu có)"),
    ("quyen_han_ky", "KT. GIÁM ĐỐC", "Quyền hạn ký"),
    ("chuc_vu_ky", "PHÓ GIÁM ĐỐC", "Chức vụ người ký"),
    ("nguoi_ky", "Đinh Hữu Công", "Họ và tên người ký"),
    ("tu_xep_loai", "Tốt", "Tự xếp loại"),
    (
        "ke_hoach_chinh_ly",
        "Quyết định số 2916/QĐ-UBND ngày 01/10/2018 của UBND tỉnh",
        "Kế hoạch chỉnh lý tài liệu",
    ),
    ("giai_doan", "2019-2021", "Giai đoạn kế hoạch chỉnh lý"),
]

# --- Căn cứ -------------------------------------------------------------------------

CAN_CU: list[str] = [
    "Quyết định số 2991/QĐ-UBND ngày 24/8/2021 của UBND tỉnh về Quy định tiêu chí"
    " đánh giá, xếp loại kết quả thực hiện công tác văn thư, lưu trữ đối với các cơ"
    " quan, đơn vị, địa phương trên địa bàn tỉnh Hà Tĩnh",
    "Quyết định số 2916/QĐ-UBND ngày 01/10/2018 của UBND tỉnh về việc ban hành Kế"
    " hoạch chỉnh lý tài liệu của các cơ quan, đơn vị, địa phương giai đoạn 2019-2021",
    "Công văn số 2177/SNV-CCHC&VTLT ngày 08/11/2021 của Sở Nội vụ về việc báo cáo"
    " đánh giá, xếp loại kết quả thực hiện công tác văn thư, lưu trữ tại các cơ quan,"
    " tổ chức và địa phương trên địa bàn tỉnh Hà Tĩnh",
]

# --- Văn bản: (Nhóm, Loại văn bản, Số lượng, Ghi chú) ---------------------------------

VAN_BAN: list[tuple[str, str, int, str | None]] = [
    ("Văn bản đi", "Tờ trình, kế hoạch, giấy mời", 600, None),
    ("Văn bản đi", "Báo cáo", 210, None),
    ("Văn bản đi", "Quyết định", 8800, None),
    (
        "Văn bản đi",
        "Văn bản giải quyết chế độ, chính sách, hướng dẫn các địa phương, cơ sở"
        " triển khai thực hiện",
        2800,
        None,
    ),
    ("Văn bản mật đến", "Văn bản chế độ mật", 91, None),
    ("Văn bản mật đi", "Văn bản trả lời mật", 26, None),
]

# --- Chấm điểm: (STT, Tiêu chí, Điểm tối đa, Điểm tự chấm, Ghi chú) -------------------
# The seed gives only the part totals; the bonus and deduction parts are left blank.

CHAM_DIEM: list[tuple[str, str, int | None, int | None, str | None]] = [
    (
        "I",
        "Những nội dung chung về tổ chức, chỉ đạo, điều hành trong công tác văn thư, lưu trữ",
        20,
        20,
        None,
    ),
    ("II", "Kết quả thực hiện nghiệp vụ văn thư", 40, 39, None),
    ("III", "Kết quả thực hiện nghiệp vụ lưu trữ", 40, 30, None),
    ("IV", "Kết quả được cộng điểm (điểm cộng)", 5, None, None),
    ("V", "Trừ điểm (điểm trừ)", None, None, None),
]

# --- Chỉnh lý: (Năm, Kế hoạch, Đã chỉnh lý, KP tỉnh, KP đơn vị, Nộp lưu, Tồn đọng,
# Ghi chú). Metres and million VND as numbers; None is "not reported". ---------------

ChinhLyRow = tuple[
    int,
    float | None,
    float | None,
    float | None,
    float | None,
    float | None,
    float | None,
    str | None,
]

CHINH_LY: list[ChinhLyRow] = [
    (2019, 190.0, 126.0, 705.0, None, 9.0, None, None),
    (2020, 143.63, 129.15, 722.7, None, 4.714, None, None),
    (2021, None, None, None, None, None, 20.0, None),
]

# --- Nội dung: (Mục, paragraph), transcribed from the seed --------------------------
# Left out on purpose: the sentence with the outgoing-document counts and the counts
# of secret documents (the tool writes them from sheet `Văn bản`).

NOI_DUNG: list[tuple[str, str]] = [
    (
        "Triển khai",
        "- Công tác văn thư, lưu trữ tại cơ quan Sở Lao động - Thương binh và Xã hội"
        " được Lãnh đạo Sở quan tâm lãnh đạo, chỉ đạo thực hiện. Ngay đầu năm,"
        " Sở Lao động-TB&XH đã tổ chức quán triệt, phổ biến, đầy đủ các quy định của"
        " pháp luật và văn bản hướng dẫn nghiệp vụ về công tác văn thư, lưu trữ trên"
        " Website, hệ thống gửi nhận văn bản điện tử của cơ quan, đơn vị và thông qua"
        " các cuộc họp, hội nghị, giao ban cơ quan.",
    ),
    (
        "Triển khai",
        "Ban hành Kế hoạch số 98/KH-SLĐTBXH ngày 22/3/2021 triển khai thực hiện công"
        " tác văn thư, lưu trữ. Thực hiện kiểm tra công tác văn thư, lưu trữ tại 6/7"
        " đơn vị trực thuộc theo Kế hoạch số 159/KH-SLĐTBXH ngày 22/4/2021 và Thông"
        " báo số 385 ngày 01/10/2021 về việc kiểm tra công tác cải cách thủ tục hành"
        " chính kết hợp kiểm tra công tác văn thư, lưu trữ.",
    ),
    (
        "Triển khai",
        "- Công tác ban hành, bảo quản văn bản mật đảm bảo chế độ mật, thực hiện đúng"
        " quy định của Nhà nước. Thực hiện quy trình ban hành, bảo quản chế độ lưu mật"
        " và bảo quản con dấu nghiêm túc.",
    ),
    (
        "Triển khai",
        "- Thực hiện lập hồ sơ công việc bằng hồ sơ giấy và hồ sơ điện tử theo chức"
        " năng, nhiệm vụ được phân công phụ trách. Thường xuyên nâng cấp các phần mềm"
        " quản lý văn bản đi, đến; thực hiện ký số điện tử 100% văn bản, giới thiệu lên"
        " Website nội bộ.",
    ),
    (
        "Chỉnh lý",
        "Thực hiện Quyết định số 2916/QĐ-UBND ngày 01/10/2018 của UBND tỉnh về việc ban"
        " hành Kế hoạch chỉnh lý tài liệu tại các cơ quan, đơn vị, địa phương giai đoạn"
        " 2019-2021; Công văn số 273/SNV - TTLTLS ngày 07/3/2019 của Sở Nội vụ về việc"
        " thu tài liệu vào Lưu trữ lịch sử tỉnh. Để thực hiện nội dung này, Sở đã tiến"
        " hành thu thập hồ sơ, tài liệu thuộc nguồn nộp lưu chuyển về Trung tâm Lưu trữ"
        " sắp xếp, chỉnh lý.",
    ),
    (
        "Tồn tại",
        "- Số lượng văn bản đi, đến phải giải quyết hàng ngày rất nhiều (cả bản giấy và"
        " bản mềm chuyển trên phần mềm chương trình gửi nhận văn bản) nên gặp nhiều khó"
        " khăn trong việc xử lý.",
    ),
    (
        "Tồn tại",
        "- Hệ thống máy móc, trang thiết bị chưa đồng bộ, ảnh hưởng rất lớn đến việc xử"
        " lý thông tin và công tác tra cứu, tìm kiếm văn bản.",
    ),
    (
        "Tồn tại",
        "- Phần lớn viên chức phụ trách công tác văn thư, lưu trữ là kiêm nhiệm nên việc"
        " xử lý chuyên môn hàng ngày gặp không ít khó khăn.",
    ),
    (
        "Tồn tại",
        "- Còn một số cán bộ, công nhân viên chức vẫn chưa quen lập hồ sơ về công việc"
        " được phân công, theo dõi giải quyết. Việc lập danh mục hồ sơ và tổ chức hướng"
        " dẫn việc lập hồ sơ công việc cơ quan còn hạn chế, chưa đi vào nề nếp và đúng"
        " quy định của pháp luật; tình trạng văn bản, tài liệu tồn đọng vẫn còn, chưa"
        " giao nộp đúng hạn những hồ sơ, tài liệu giá trị vào lưu trữ cơ quan. Hiện nay"
        " còn một số tài liệu đang lưu giữ rải rác ở khắp các phòng làm việc chuyên"
        " môn.",
    ),
    (
        "Nguyên nhân",
        "Hiện tại cơ sở vật chất của Sở trải qua thời gian dài sử dụng lâu ngày quá cũ"
        " kỹ, đã xuống cấp nghiêm trọng, ảnh hưởng rất lớn đến quá trình hoạt động chung"
        " của cơ quan, đặc biệt là kho lưu trữ gần 400.000 hồ sơ Thương binh, Liệt sỹ,"
        " người có công với cách mạng và các kho lưu trữ hồ sơ chuyên môn. Mặt khác"
        " diện tích kho lưu trữ để phục vụ cho công tác lưu giữ, bảo quản tài liệu quá"
        " hạn chế không đủ để đưa hết tài liệu đến kỳ thu nộp về kho bảo quản mà phải"
        " để tạm tại các phòng làm việc của cán bộ, chuyên viên.",
    ),
    (
        "Nguyên nhân",
        "Hệ thống công nghệ thông tin hàng năm đã được nâng cấp, sửa chữa hệ thống máy"
        " móc, tuy nhiên cũng chưa đáp ứng được cho nhiệm vụ thực tiễn. Hệ thống mạng"
        " còn trục trặc, một số máy móc làm việc của cán bộ, chuyên viên lâu ngày quá"
        " cũ chưa được thay thế, bổ sung làm ảnh hưởng rất lớn đến tiến độ chuyển giao"
        " văn bản kịp thời.",
    ),
    (
        "Giải pháp",
        "- Trong điều kiện có thể Sở từng bước nâng cấp, bố trí cơ sở vật chất, nâng cấp"
        " hệ thống mạng đảm bảo cho công việc chuyên môn được thông suốt.",
    ),
    (
        "Giải pháp",
        "- Quán triệt cán bộ, công chức thực hiện nghiêm việc lập đầy đủ hồ sơ công việc"
        " bằng bản giấy và bản điện tử kịp thời.",
    ),
    (
        "Giải pháp",
        "- Tăng cường kiểm tra, rà soát chặt chẽ việc ban hành văn bản đảm bảo đúng thể"
        " thức, quy trình; cập nhật đầy đủ hồ sơ, dữ liệu, văn bản đi, đến.",
    ),
    (
        "Giải pháp",
        "- Quan tâm hơn nữa công tác lưu giữ, bảo quản tài liệu lưu trữ lịch sử và lưu"
        " trữ cơ quan.",
    ),
    (
        "Kiến nghị",
        "Đề nghị UBND tỉnh, Sở Nội vụ tiếp tục quan tâm, chỉ đạo, tạo điều kiện bố trí"
        " kinh phí cho Sở Lao động - Thương binh và Xã hội triển khai tốt nhiệm vụ văn"
        " thư, lưu trữ, mua sắm trang thiết bị bảo quản đảm bảo an toàn hồ sơ lưu trữ.",
    ),
]

# --- Nơi nhận -----------------------------------------------------------------------

NOI_NHAN: list[str] = [
    "Sở Nội vụ (báo cáo)",
    "Chi cục VT - LT",
    "Giám đốc, các PGĐ",
    "Lưu: VT, VP",
]


def nfc(value: Cell) -> Cell:
    """Return text NFC-normalised; other values unchanged."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def add_sheet(
    wb: Workbook,
    title: str,
    headers: list[tuple[str, float]],
    rows: list[tuple[Cell, ...]],
    wrap_columns: tuple[int, ...] = (),
    number_columns: tuple[int, ...] = (),
) -> Worksheet:
    """Write one sheet: a bold, frozen header row, then the data rows.

    ``headers`` pairs each header text with its column width; ``wrap_columns`` and
    ``number_columns`` are 1-based column indexes.
    """
    ws = wb.create_sheet(str(nfc(title)))
    bold = Font(bold=True)
    header_alignment = Alignment(vertical="center", wrap_text=True)
    for col, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=nfc(text))
        cell.font = bold
        cell.alignment = header_alignment
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    for row_index, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=row_index, column=col, value=nfc(value))
            cell.alignment = wrap if col in wrap_columns else top
            if isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif col in number_columns and isinstance(value, float):
                cell.number_format = NUMBER_FORMAT
    ws.freeze_panes = "A2"
    return ws


def build() -> Workbook:
    """Build the example workbook in memory."""
    wb = Workbook()
    wb.remove(wb.active)

    add_sheet(
        wb,
        "Thông tin",
        [("Mã", 20), ("Giá trị", 60), ("Nội dung", 40)],
        [(key, value, label) for key, value, label in THONG_TIN],
        wrap_columns=(2, 3),
    )
    add_sheet(
        wb,
        "Căn cứ",
        [("Nội dung", 100)],
        [(text,) for text in CAN_CU],
        wrap_columns=(1,),
    )
    add_sheet(
        wb,
        "Văn bản",
        [("Nhóm", 18), ("Loại văn bản", 60), ("Số lượng", 12), ("Ghi chú", 30)],
        list(VAN_BAN),
        wrap_columns=(2, 4),
    )
    add_sheet(
        wb,
        "Chấm điểm",
        [
            ("STT", 8),
            ("Tiêu chí", 60),
            ("Điểm tối đa", 12),
            ("Điểm tự chấm", 14),
            ("Ghi chú", 30),
        ],
        list(CHAM_DIEM),
        wrap_columns=(2, 5),
    )
    add_sheet(
        wb,
        "Chỉnh lý",
        [
            ("Năm", 8),
            ("Kế hoạch (mét)", 14),
            ("Đã chỉnh lý (mét)", 14),
            ("Kinh phí tỉnh hỗ trợ (triệu đồng)", 18),
            ("Kinh phí đơn vị bố trí (triệu đồng)", 18),
            ("Nộp lưu (mét)", 12),
            ("Tồn đọng (mét)", 12),
            ("Ghi chú", 30),
        ],
        list(CHINH_LY),
        wrap_columns=(8,),
        number_columns=(2, 3, 4, 5, 6, 7),
    )
    add_sheet(
        wb,
        "Nội dung",
        [("Mục", 14), ("Nội dung", 100)],
        list(NOI_DUNG),
        wrap_columns=(2,),
    )
    add_sheet(
        wb,
        "Nơi nhận",
        [("Nơi nhận", 40)],
        [(text,) for text in NOI_NHAN],
    )

    wb.properties.creator = "baocao"
    wb.properties.lastModifiedBy = "baocao"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save ``wb`` so that the same workbook always gives the same bytes.

    openpyxl stamps ``modified`` with the current time and the zip entries with the
    current clock; rewrite both with ``FIXED_TIME``.
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    wb.properties.modified = FIXED_TIME
    core_xml = tostring(wb.properties.to_tree())
    timestamp = FIXED_TIME.timetuple()[:6]
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = core_xml
            info = zipfile.ZipInfo(item.filename, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, data)


def main() -> None:
    for path in (OUTPUT, PACKAGED):
        save_deterministic(build(), path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
