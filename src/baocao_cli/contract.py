"""The input workbook contract (workbook.md) as data: sheets, columns and keys.

The reader, the parser, `init` and the docs all use these tables, so the contract is
stated once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The STT forms of `Chấm điểm` criteria: `1`, `2.1` (numbered) and `a)` (lettered, below a
# numbered one). The parser reads them; a rules file's criteria and part codes obey them.
ITEM_STT = re.compile(r"^\d+(?:\.\d+)*$")
SUB_STT = re.compile(r"^[a-zđ]\)$")


def stt_kind(stt: str) -> str | None:
    """"item" for `1`/`2.1`, "sub" for `a)` (any case), None for anything else."""
    if ITEM_STT.match(stt):
        return "item"
    return "sub" if SUB_STT.match(stt.lower()) else None


@dataclass(frozen=True)
class Column:
    key: str  # the canonical name used in code
    label: str  # the header as the contract writes it
    required: bool = True
    unit: str = ""  # shown in parentheses by `init`
    aliases: tuple[str, ...] = ()  # other headers e-office exports use (registers only)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    required: bool
    columns: tuple[Column, ...]


THONG_TIN = SheetSpec("thong_tin", "Thông tin", True, (
    Column("ma", "Mã"),
    Column("gia_tri", "Giá trị"),
    Column("noi_dung", "Nội dung", required=False),
))
CAN_CU = SheetSpec("can_cu", "Căn cứ", False, (Column("noi_dung", "Nội dung"),))
VAN_BAN = SheetSpec("van_ban", "Văn bản", True, (
    Column("nhom", "Nhóm"),
    Column("loai", "Loại văn bản"),
    Column("so_luong", "Số lượng"),
    Column("ghi_chu", "Ghi chú", required=False),
))
CHAM_DIEM = SheetSpec("cham_diem", "Chấm điểm", True, (
    Column("stt", "STT"),
    Column("tieu_chi", "Tiêu chí"),
    Column("toi_da", "Điểm tối đa"),
    Column("tu_cham", "Điểm tự chấm"),
    Column("ghi_chu", "Ghi chú", required=False),
))
CHINH_LY = SheetSpec("chinh_ly", "Chỉnh lý", False, (
    Column("nam", "Năm"),
    Column("ke_hoach", "Kế hoạch", unit="mét"),
    Column("da_chinh_ly", "Đã chỉnh lý", unit="mét"),
    Column("kp_tinh", "Kinh phí tỉnh hỗ trợ", required=False, unit="triệu đồng"),
    Column("kp_don_vi", "Kinh phí đơn vị bố trí", required=False, unit="triệu đồng"),
    Column("nop_luu", "Nộp lưu", required=False, unit="mét"),
    Column("ton_dong", "Tồn đọng", required=False, unit="mét"),
    Column("ghi_chu", "Ghi chú", required=False),
))
NOI_DUNG = SheetSpec("noi_dung", "Nội dung", False, (
    Column("muc", "Mục"),
    Column("noi_dung", "Nội dung"),
))
NOI_NHAN = SheetSpec("noi_nhan", "Nơi nhận", False, (Column("noi_nhan", "Nơi nhận"),))

SHEETS: tuple[SheetSpec, ...] = (
    THONG_TIN, CAN_CU, VAN_BAN, CHAM_DIEM, CHINH_LY, NOI_DUNG, NOI_NHAN)
# The document registers of Phụ lục IV (sổ đăng ký văn bản đi / đến), optional and kept
# out of SHEETS: registers.py reads them with its own streaming reader (a year's register
# runs to tens of thousands of rows), from the unit's workbook or from `--so-van-ban FILE`.
_SO_KY_HIEU = Column("so_ky_hieu", "Số, ký hiệu văn bản", aliases=(
    "Số ký hiệu văn bản", "Số và ký hiệu văn bản", "Số, ký hiệu", "Số ký hiệu", "Số/Ký hiệu",
    "Ký hiệu văn bản"))
_NGAY_VB = Column("ngay_van_ban", "Ngày tháng văn bản", aliases=(
    "Ngày văn bản", "Ngày ban hành", "Ngày, tháng văn bản", "Ngày tháng năm văn bản"))
_TRICH_YEU = Column("trich_yeu", "Tên loại và trích yếu nội dung văn bản", aliases=(
    "Tên loại và trích yếu nội dung", "Trích yếu nội dung văn bản", "Trích yếu nội dung",
    "Trích yếu"))
_DO_MAT = Column("do_mat", "Độ mật", required=False, aliases=("Mức độ mật",))
_SO_SERIES = Column("so", "Sổ", required=False, aliases=("Sổ văn bản", "Sổ đăng ký"))
SO_DI = SheetSpec("so_di", "Sổ văn bản đi", False, (
    _SO_KY_HIEU, _NGAY_VB, _TRICH_YEU,
    Column("nguoi_ky", "Người ký", required=False),
    Column("noi_nhan", "Nơi nhận văn bản", required=False, aliases=("Nơi nhận",)),
    Column("nhan_ban_luu", "Đơn vị, người nhận bản lưu", required=False),
    Column("so_luong_ban", "Số lượng bản", required=False),
    Column("ngay_chuyen", "Ngày chuyển", required=False),
    Column("ky_nhan", "Ký nhận", required=False),
    Column("ghi_chu", "Ghi chú", required=False),
    _DO_MAT, _SO_SERIES,
))
SO_DEN = SheetSpec("so_den", "Sổ văn bản đến", False, (
    Column("ngay_den", "Ngày đến"),
    Column("so_den", "Số đến"),
    Column("tac_gia", "Tác giả", required=False,
           aliases=("Cơ quan ban hành", "Nơi gửi", "Cơ quan, tổ chức ban hành")),
    _SO_KY_HIEU, _NGAY_VB, _TRICH_YEU,
    Column("nguoi_nhan", "Đơn vị hoặc người nhận", required=False),
    Column("ngay_chuyen", "Ngày chuyển", required=False),
    Column("ky_nhan", "Ký nhận", required=False),
    Column("ghi_chu", "Ghi chú", required=False),
    _DO_MAT, _SO_SERIES,
))
REGISTERS: tuple[SheetSpec, ...] = (SO_DI, SO_DEN)
# Sheets a workbook may carry for people only (the starter's instructions).
IGNORED_SHEETS = ("Hướng dẫn",)


@dataclass(frozen=True)
class InfoKey:
    key: str
    label: str
    required: bool
    kind: str  # text | int | date | period


INFO_KEYS: tuple[InfoKey, ...] = (
    InfoKey("co_quan_chu_quan", "Tên cơ quan chủ quản", False, "text"),
    InfoKey("co_quan", "Tên cơ quan ban hành (viết hoa)", True, "text"),
    InfoKey("ten_co_quan", "Tên cơ quan trong câu văn", True, "text"),
    InfoKey("ky_hieu", "Chữ viết tắt tên cơ quan (ký hiệu)", True, "text"),
    InfoKey("so", "Số văn bản (để trống để văn thư điền)", False, "int"),
    InfoKey("dia_danh", "Địa danh", True, "text"),
    InfoKey("ngay", "Ngày ban hành (để trống để điền tay)", False, "date"),
    InfoKey("nam", "Năm báo cáo", True, "int"),
    InfoKey("trich_yeu", "Trích yếu nội dung", False, "text"),
    InfoKey("kinh_gui", "Kính gửi", False, "text"),
    InfoKey("quyen_han_ky", "Quyền hạn ký (TM., Q., KT., TL., TUQ.)", False, "text"),
    InfoKey("chuc_vu_ky", "Chức vụ người ký", True, "text"),
    InfoKey("nguoi_ky", "Họ tên người ký", True, "text"),
    InfoKey("tu_xep_loai", "Tự xếp loại", False, "text"),
    InfoKey("ke_hoach_chinh_ly", "Kế hoạch chỉnh lý tài liệu", False, "text"),
    InfoKey("giai_doan", "Giai đoạn của kế hoạch (yyyy-yyyy)", False, "period"),
)
INFO_BY_KEY = {k.key: k for k in INFO_KEYS}


def field_name(key: str) -> str:
    """A `Thông tin` key's field in a few words: `ngay` → `ngày ban hành`."""
    spec = INFO_BY_KEY.get(key)
    if spec is None:
        return ""
    name = spec.label.split(" (")[0]
    return name[:1].lower() + name[1:]


# Nhóm of `Văn bản`: the canonical names, and the short forms a clerk may type.
GROUPS: tuple[tuple[str, str], ...] = (
    ("di", "Văn bản đi"),
    ("den", "Văn bản đến"),
    ("mat_di", "Văn bản mật đi"),
    ("mat_den", "Văn bản mật đến"),
)

# Mục of `Nội dung` and where each goes in the report.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("trien_khai", "Triển khai"),
    ("chinh_ly", "Chỉnh lý"),
    ("ton_tai", "Tồn tại"),
    ("nguyen_nhan", "Nguyên nhân"),
    ("giai_phap", "Giải pháp"),
    ("kien_nghi", "Kiến nghị"),
    ("phuong_huong", "Phương hướng"),
)

SIGNING_PREFIXES = ("TM.", "Q.", "KT.", "TL.", "TUQ.")
