"""Problems found in a workbook, as values of one catalogue of issue types.

Every issue is made from its type here (code, Vietnamese title, description, message
template), so the same problem reads the same in `validate`, `build`, `batch` and
`serve`, and the codes are stable for machines. An issue keeps the parameters its message
was built from, so a program reading the JSON gets the values, not only the sentence.
`docs/codes.md` is generated from this file (`python -m baocao_cli.issues`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Literal

from .contract import field_name

Severity = Literal["error", "warning"]

_PLACE_FIELDS = frozenset({"sheet", "key"})  # filled from the place, not from params


@dataclass(frozen=True)
class IssueType:
    """One kind of problem. The code's first letter gives the severity (E error, W warning).

    The template says what was found and what is expected; `make` puts the place
    (sheet!cell, or the sheet and key) in front of it, so a message reads on its own.
    """

    code: str
    title: str  # a few words, for a list or a table heading
    template: str
    description: str  # what it means and how to fix it, for docs/codes.md
    example: tuple[str, dict[str, str]] = ("", {})  # (place, params) for docs/codes.md

    @property
    def severity(self) -> Severity:
        return "error" if self.code[0] == "E" else "warning"

    @property
    def params(self) -> tuple[str, ...]:
        """The template's parameters, in their first order of appearance."""
        names: list[str] = []
        for _, name, _, _ in string.Formatter().parse(self.template):
            if name and name not in names:
                names.append(name)
        return tuple(names)


TYPES: tuple[IssueType, ...] = (
    # the file itself
    IssueType(
        "E001", "Không tìm thấy tệp",
        "không tìm thấy tệp. Cần đường dẫn tới một sổ tính (.xlsx, .xls, .ods) có thật.",
        "Đường dẫn đã cho không trỏ tới tệp nào. Kiểm tra lại tên tệp, thư mục, và gõ đúng cả "
        "đuôi .xlsx.",
        example=("don-vi.xlsx", {})),
    IssueType(
        "E002", "Tệp rỗng",
        "tệp rỗng (0 byte). Cần một sổ tính (.xlsx, .xls, .ods) có dữ liệu.",
        "Tệp có dung lượng 0 byte, thường do sao chép hoặc tải về bị dở dang. Lấy lại bản gốc "
        "có dữ liệu.",
        example=("don-vi.xlsx", {})),
    IssueType(
        "E003", "Không phải sổ Excel",
        "không phải sổ tính Excel (.xlsx, .xls) hay LibreOffice (.ods) ({detail}). Hãy mở "
        "tệp bằng Excel hoặc LibreOffice và lưu lại dưới dạng \"Excel Workbook (.xlsx)\".",
        "Tệp không phải một sổ bảng tính đọc được (có thể là tệp văn bản, CSV hoặc tệp khác "
        "đổi đuôi). Mở bằng Excel hoặc LibreOffice và lưu lại dưới dạng sổ Excel.",
        example=("don-vi.xlsx", {"detail": "có vẻ là tệp văn bản hoặc CSV"})),
    IssueType(
        "E004", "Định dạng không đọc được",
        "là {detail}, không phải sổ tính đọc được. Cần sổ .xlsx, .xls hoặc .ods: hãy mở "
        "bằng Excel hoặc LibreOffice và lưu lại dưới dạng \"Excel Workbook (.xlsx)\".",
        "Tệp có định dạng văn phòng khác (sổ .xlsb, tài liệu Word, trình chiếu…) chứ không "
        "phải sổ tính đọc được. Mở bằng Excel hoặc LibreOffice và lưu lại dưới dạng .xlsx.",
        example=("don-vi.xlsb", {"detail": "sổ Excel nhị phân (.xlsb)"})),
    IssueType(
        "E005", "Sổ Excel có mật khẩu",
        "sổ Excel được bảo vệ bằng mật khẩu (đã mã hóa) nên không đọc được. Hãy gỡ mật khẩu "
        "(File > Info > Protect Workbook) rồi lưu lại.",
        "Sổ được mã hóa bằng mật khẩu nên không đọc được nội dung. Gỡ mật khẩu rồi lưu lại.",
        example=("don-vi.xlsx", {})),
    IssueType(
        "E006", "Tệp bị hỏng",
        "sổ tính bị hỏng, không đọc được ({detail}). Hãy mở và lưu lại bằng Excel hoặc "
        "LibreOffice, hoặc lấy lại bản gốc.",
        "Bên trong tệp có phần bị hỏng hoặc sai định dạng. Mở và lưu lại bằng Excel hoặc "
        "LibreOffice, hoặc lấy lại bản gốc.",
        example=("don-vi.xlsx", {"detail": "dữ liệu nén bên trong bị lỗi, không giải nén được"})),
    IssueType(
        "E007", "Tệp quá lớn",
        "tệp quá lớn khi giải nén ({detail}); giới hạn là {limit}. Một báo cáo đơn vị không "
        "cần dung lượng như vậy: kiểm tra lại tệp.",
        "Khi giải nén, tệp lớn hơn nhiều so với mọi báo cáo đơn vị (có thể là tệp bị làm giả). "
        "Kiểm tra lại tệp.",
        example=("don-vi.xlsx", {"detail": "2048 MB", "limit": "200 MB"})),
    IssueType(
        "E008", "Thư mục không có sổ Excel",
        "thư mục không có sổ tính nào (.xlsx, .xls, .ods). Cần ít nhất một sổ tính.",
        "Thư mục đã cho không chứa sổ Excel nào để kiểm tra. Kiểm tra lại thư mục hoặc chỉ "
        "thẳng tới tệp.",
        example=("nop-ve", {})),
    IssueType(
        "E009", "Khai báo XML bị từ chối",
        "tệp có khai báo DTD/thực thể XML trong phần {part}, điều mà sổ Excel thật không bao "
        "giờ có (có thể là tệp bị làm giả để tấn công). Tệp bị từ chối; hãy lấy lại bản gốc "
        "hoặc mở và lưu lại bằng Excel.",
        "Một phần bên trong tệp có khai báo DTD hoặc thực thể XML, điều sổ Excel thật không "
        "có; tệp bị từ chối để an toàn. Lấy lại bản gốc.",
        example=("don-vi.xlsx", {"part": "xl/workbook.xml"})),
    IssueType(
        "E010", "Không phải tệp thường",
        "không mở được tệp: {detail}. Cần một sổ Excel .xlsx là tệp thường trên ổ đĩa.",
        "Đường dẫn trỏ tới một thứ không phải tệp thường (đường ống FIFO, thiết bị, socket, "
        "liên kết vòng) nên không đọc được. Chỉ tới chính tệp sổ Excel.",
        example=("don-vi.xlsx", {"detail": "đây là một đường ống (FIFO), không phải tệp"})),
    IssueType(
        "E011", "Không có quyền đọc tệp",
        "không có quyền đọc tệp {file}. Hãy xin quyền đọc tệp, hoặc chép tệp vào thư mục "
        "của mình rồi chạy lại.",
        "Tài khoản đang dùng không được phép đọc tệp này. Xin quyền đọc, hoặc chép tệp vào "
        "thư mục của mình.",
        example=("don-vi.xlsx", {"file": "don-vi.xlsx"})),
    # structure
    IssueType(
        "E101", "Thiếu trang tính",
        "thiếu trang tính bắt buộc \"{sheet}\". Cần một trang tính tên \"{sheet}\".",
        "Sổ thiếu một trang tính bắt buộc theo mẫu. Thêm trang với đúng tên (hoa/thường và dấu "
        "không quan trọng), hoặc lấy mẫu mới bằng `baocao init`.",
        example=("Văn bản", {})),
    IssueType(
        "E102", "Hai trang tính trùng tên",
        "hai trang tính \"{first}\" và \"{second}\" trùng tên sau khi bỏ dấu, hoa/thường và "
        "khoảng trắng. Cần giữ lại một trang.",
        "Hai trang tính có cùng tên khi bỏ dấu, hoa/thường và khoảng trắng, nên không biết đọc "
        "trang nào. Xóa hoặc đổi tên một trang.",
        example=("Chấm điểm", {"first": "Chấm điểm", "second": "Cham diem"})),
    IssueType(
        "E103", "Không thấy dòng tiêu đề",
        "không tìm thấy dòng tiêu đề trong 10 dòng đầu: thiếu cột {missing}. Cần một dòng tiêu "
        "đề có các cột {expected}.",
        "Trong 10 dòng đầu của trang không có dòng tiêu đề chứa đủ các cột của mẫu. Sửa tên "
        "cột cho đúng mẫu.",
        example=("Văn bản",
                 {"missing": "\"Số lượng\"",
                  "expected": "\"Nhóm\", \"Loại văn bản\", \"Số lượng\""})),
    IssueType(
        "E104", "Thiếu mã thông tin",
        "thiếu mã bắt buộc \"{key}\" ({label}). Cần một dòng có Mã \"{key}\" và Giá trị.",
        "Trang \"Thông tin\" thiếu một dòng bắt buộc. Thêm dòng có cột Mã là mã này và ghi giá "
        "trị.",
        example=("Thông tin", {"key": "co_quan", "label": "tên cơ quan, tổ chức ban hành"})),
    IssueType(
        "E105", "Mã thông tin lặp lại",
        "mã \"{key}\" xuất hiện lần nữa (đã có ở {first}). Mỗi mã chỉ ghi một lần.",
        "Một mã được ghi hai lần ở trang \"Thông tin\"; chỉ giữ một dòng.",
        example=("Thông tin!B12", {"key": "nam", "first": "Thông tin!B4"})),
    IssueType(
        "E106", "Chưa điền thông tin",
        "chưa điền giá trị. Cần điền: {label}.",
        "Dòng có mã nhưng ô giá trị còn trống. Điền giá trị.",
        example=("Thông tin!C5", {"key": "ngay", "label": "ngày ban hành"})),
    IssueType(
        "E107", "Trang không có dữ liệu",
        "trang tính \"{sheet}\" không có dòng dữ liệu nào. Cần ít nhất một dòng.",
        "Trang có dòng tiêu đề nhưng không có dòng dữ liệu nào. Nhập ít nhất một dòng.",
        example=("Văn bản", {"sheet": "Văn bản"})),
    # values
    IssueType(
        "E201", "Không phải số",
        "\"{value}\" không phải là số. Cần một số, ví dụ 8.800 hoặc 143,63.",
        "Ô cần một số nhưng ghi chữ hoặc ký hiệu khác. Ghi số theo kiểu Việt Nam: dấu chấm "
        "ngăn nghìn, dấu phẩy thập phân.",
        example=("Văn bản!C3", {"value": "hai trăm"})),
    IssueType(
        "E202", "Không phải số nguyên",
        "\"{value}\" không phải số nguyên. Cần một số nguyên (không có phần thập phân).",
        "Ô cần một số nguyên (số văn bản, số hồ sơ…) nhưng có phần thập phân.",
        example=("Văn bản!C3", {"value": "12,5"})),
    IssueType(
        "E203", "Số âm",
        "số âm {value}. Cần số không âm (lớn hơn hoặc bằng 0).",
        "Số lượng, số mét và điểm không thể âm. Ghi số lớn hơn hoặc bằng 0.",
        example=("Chỉnh lý!C4", {"value": "-3"})),
    IssueType(
        "E204", "Ngày không hợp lệ",
        "\"{value}\" không phải ngày hợp lệ. Cần ngày dạng dd/mm/yyyy, ví dụ 24/11/2021.",
        "Ô cần một ngày có thật. Ghi ngày dạng dd/mm/yyyy hoặc nhập kiểu ngày của Excel.",
        example=("Thông tin!C9", {"value": "31/02/2021"})),
    IssueType(
        "E205", "Công thức chưa được tính",
        "ô có công thức \"{formula}\" nhưng chưa có giá trị đã tính (tệp do chương trình tạo "
        "và chưa từng mở trong Excel). Hãy mở tệp bằng Excel hoặc LibreOffice rồi lưu lại để "
        "công thức được tính.",
        "Ô có công thức nhưng tệp chưa lưu giá trị đã tính (tệp do chương trình tạo, chưa mở "
        "trong Excel). Mở và lưu lại tệp bằng Excel hoặc LibreOffice.",
        example=("Văn bản!C5", {"formula": "=SUM(C2:C4)"})),
    IssueType(
        "E206", "Ô báo lỗi công thức",
        "ô báo lỗi công thức {value}. Cần sửa công thức hoặc nhập giá trị.",
        "Công thức trong ô cho kết quả lỗi (#REF!, #VALUE!…). Sửa công thức hoặc nhập giá trị.",
        example=("Văn bản!C5", {"value": "#REF!"})),
    IssueType(
        "E207", "Năm ngoài khoảng",
        "năm {value} nằm ngoài khoảng cho phép. Cần năm từ {low} đến {high}.",
        "Năm ghi ở ô nằm ngoài khoảng hợp lý của báo cáo.",
        example=("Thông tin!C4", {"value": "1900", "low": "2000", "high": "2100"})),
    IssueType(
        "E208", "Ký hiệu không đúng dạng",
        "ký hiệu \"{value}\" không đúng dạng. Cần chữ in hoa (kể cả Đ) và chữ số, các nhóm nối "
        "bằng dấu \"-\", không có khoảng trắng, ví dụ SLĐTBXH hoặc UBND-VP.",
        "Ký hiệu cơ quan gồm chữ in hoa và chữ số, các nhóm nối bằng dấu \"-\" (Phụ lục III "
        "Nghị định 30/2020).",
        example=("Thông tin!C3", {"value": "slđ tbxh"})),
    IssueType(
        "E209", "Quyền hạn ký không đúng",
        "quyền hạn ký \"{value}\" không đúng. Cần TM., Q., KT., TL. hoặc TUQ. rồi đến chức vụ "
        "người đứng đầu, ví dụ KT. GIÁM ĐỐC hoặc TM. ỦY BAN NHÂN DÂN.",
        "Quyền hạn ký phải bắt đầu bằng một trong các chữ viết tắt của Nghị định 30/2020 (TM., "
        "Q., KT., TL., TUQ.) và có chức vụ hoặc tên tập thể sau nó (một mình \"KT.\" không đủ: "
        "khối chữ ký sẽ thiếu chức vụ); để trống khi thủ trưởng ký.",
        example=("Thông tin!C14", {"value": "KT."})),
    IssueType(
        "E210", "Giai đoạn không đúng dạng",
        "giai đoạn \"{value}\" không đúng dạng. Cần hai năm nối bằng dấu \"-\", năm đầu không "
        "lớn hơn năm sau, ví dụ 2019-2021.",
        "Giai đoạn của kế hoạch chỉnh lý là hai năm nối bằng dấu \"-\".",
        example=("Thông tin!C16", {"value": "2021-2019"})),
    IssueType(
        "E211", "Nhóm không có trong danh sách",
        "nhóm \"{value}\" không có trong danh sách. Cần một trong: {expected}.",
        "Cột Nhóm của trang \"Văn bản\" chỉ nhận các nhóm của mẫu; chọn từ danh sách thả xuống.",
        example=("Văn bản!A4",
                 {"value": "Văn bản nội bộ", "expected": "\"Văn bản đi\", \"Văn bản đến\""})),
    IssueType(
        "E212", "Mục không có trong danh sách",
        "mục \"{value}\" không có trong danh sách. Cần một trong: {expected}.",
        "Cột Mục của trang \"Nội dung\" chỉ nhận các mục của mẫu; chọn từ danh sách thả xuống.",
        example=("Nội dung!A3", {"value": "Khác", "expected": "\"Ưu điểm\", \"Tồn tại\""})),
    IssueType(
        "E213", "Số văn bản không hợp lệ",
        "số văn bản {value} không hợp lệ. Cần số nguyên từ 1 trở lên, hoặc để trống.",
        "Số của văn bản là số nguyên từ 1 trở lên, hoặc để trống.",
        example=("Thông tin!C6", {"value": "0"})),
    IssueType(
        "E214", "Thông tin không phải số",
        "\"{value}\" không phải là số. Cần {expected}, ví dụ {example}.",
        "Mã này của trang \"Thông tin\" cần một số nguyên (năm báo cáo, số văn bản) nhưng ô "
        "ghi chữ hoặc ký hiệu khác.",
        example=("Thông tin!C9", {"key": "nam", "value": "năm 2024",
                                  "expected": "năm báo cáo gồm bốn chữ số", "example": "2021"})),
    IssueType(
        "E215", "Dòng thiếu dữ liệu",
        "dòng có \"{value}\" nhưng thiếu {missing}. Cần điền {missing}.",
        "Dòng đã có một phần dữ liệu nhưng thiếu ô bắt buộc. Điền nốt hoặc xóa cả dòng.",
        example=("Văn bản!C7", {"value": "Công văn", "missing": "\"Số lượng\""})),
    IssueType(
        "E216", "Ngày ban hành trước năm báo cáo",
        "ngày ban hành {value} ở trước năm báo cáo {year}. Báo cáo năm {year} chỉ ban hành từ "
        "năm {year} trở đi; kiểm tra lại ngày hoặc năm.",
        "Ngày ban hành báo cáo không thể ở trước năm được báo cáo (thường là gõ nhầm năm, hoặc "
        "ô ngày bị Excel đọc thành ngày 01/01/0001).",
        example=("Thông tin!C8", {"key": "ngay", "value": "01/01/0001", "year": "2021"})),
    # scoring (Chấm điểm)
    IssueType(
        "E301", "Tiêu chí đứng trước phần",
        "tiêu chí \"{stt}\" đứng trước dòng phần (I, II, …) đầu tiên. Cần đặt dòng phần trước "
        "các tiêu chí của nó.",
        "Trong trang \"Chấm điểm\", mỗi tiêu chí phải nằm dưới dòng phần (I, II, …) của nó.",
        example=("Chấm điểm!A3", {"stt": "1"})),
    IssueType(
        "E302", "STT không đúng dạng",
        "STT \"{stt}\" không đúng dạng. Cần mã phần ({parts}) hoặc số tiêu chí như 1, 2.1, a).",
        "Cột STT của trang \"Chấm điểm\" ghi mã phần hoặc số tiêu chí.",
        example=("Chấm điểm!A9", {"stt": "1..2", "parts": "I, II, III, IV, V"})),
    IssueType(
        "E303", "STT lặp lại",
        "STT \"{stt}\" lặp lại trong phần {part} (đã có ở {first}). Mỗi STT chỉ dùng một lần.",
        "Hai tiêu chí trong cùng một phần có cùng STT.",
        example=("Chấm điểm!A12", {"stt": "2.1", "part": "II", "first": "Chấm điểm!A10"})),
    IssueType(
        "E304", "Phần lặp lại",
        "phần {part} xuất hiện lần nữa (đã có ở {first}). Mỗi phần chỉ ghi một lần.",
        "Một phần của bảng chấm điểm xuất hiện hai lần.",
        example=("Chấm điểm!A20", {"part": "II", "first": "Chấm điểm!A8"})),
    IssueType(
        "E305", "Tiêu chí chưa có điểm",
        "tiêu chí {stt} chưa có điểm tự chấm. Cần ghi điểm (ghi 0 nếu không đạt).",
        "Tiêu chí chưa có điểm tự chấm. Ghi điểm, ghi 0 nếu không đạt.",
        example=("Chấm điểm!D7", {"stt": "1.2"})),
    IssueType(
        "E306", "Điểm vượt điểm tối đa",
        "tiêu chí {stt}: điểm tự chấm {score} lớn hơn điểm tối đa {maximum}. Cần từ 0 đến "
        "{maximum}.",
        "Điểm tự chấm của tiêu chí lớn hơn điểm tối đa của nó.",
        example=("Chấm điểm!D7", {"stt": "1.2", "score": "6", "maximum": "5"})),
    IssueType(
        "E307", "Điểm tối đa khác tổng tiêu chí con",
        "tiêu chí {stt}: điểm tối đa {maximum} khác tổng điểm tối đa các tiêu chí con "
        "{children}. Cần {children}.",
        "Điểm tối đa của một tiêu chí có tiêu chí con phải bằng tổng điểm tối đa của các tiêu "
        "chí con.",
        example=("Chấm điểm!C6", {"stt": "1", "maximum": "12", "children": "10"})),
    IssueType(
        "E308", "Điểm khác tổng tiêu chí con",
        "tiêu chí {stt}: điểm tự chấm {score} khác tổng điểm các tiêu chí con {children}. Cần "
        "{children} hoặc để trống.",
        "Điểm tự chấm của một tiêu chí có tiêu chí con phải bằng tổng điểm các tiêu chí con, "
        "hoặc để trống để tự cộng.",
        example=("Chấm điểm!D6", {"stt": "1", "score": "9", "children": "8"})),
    IssueType(
        "E309", "Điểm tối đa của phần khác quy định",
        "phần {part}: điểm tối đa {found} khác quy định {expected} ({rules}). Cần {expected} "
        "hoặc để trống.",
        "Điểm tối đa ghi cho một phần khác với bộ quy tắc chấm điểm đang dùng.",
        example=("Chấm điểm!C2",
                 {"part": "I", "found": "25", "expected": "20", "rules": "ha-tinh-2021"})),
    IssueType(
        "E310", "Điểm của phần vượt tối đa",
        "phần {part}: điểm {score} lớn hơn điểm tối đa {maximum}. Cần từ 0 đến {maximum}.",
        "Tổng điểm của một phần lớn hơn điểm tối đa của phần đó.",
        example=("Chấm điểm!D2", {"part": "I", "score": "22", "maximum": "20"})),
    IssueType(
        "E311", "Điểm của phần khác tổng tiêu chí",
        "phần {part}: điểm tự chấm {score} khác tổng điểm các tiêu chí {items}. Cần {items} "
        "hoặc để trống.",
        "Điểm tự chấm ghi cho phần khác tổng điểm các tiêu chí của nó; sửa hoặc để trống để tự "
        "cộng.",
        example=("Chấm điểm!D2", {"part": "I", "score": "18", "items": "17"})),
    IssueType(
        "E312", "Thiếu phần của bảng điểm",
        "thiếu phần {part} \"{name}\" của bảng chấm điểm. Cần một dòng có STT \"{part}\".",
        "Bảng chấm điểm thiếu một phần mà bộ quy tắc yêu cầu.",
        example=("Chấm điểm", {"part": "III", "name": "Công tác lưu trữ"})),
    IssueType(
        "E313", "Tự xếp loại khác kết quả tính",
        "tự xếp loại \"{declared}\" khác kết quả tính được: tổng {total} điểm, xếp loại "
        "\"{computed}\". Cần ghi \"{computed}\" hoặc sửa điểm.",
        "Mức tự xếp loại ghi ở trang \"Thông tin\" khác mức tính được từ tổng điểm theo bộ quy "
        "tắc.",
        example=("Thông tin!C20", {"declared": "Xuất sắc", "total": "89", "computed": "Tốt"})),
    IssueType(
        "E314", "Tiêu chí chưa có điểm tối đa",
        "tiêu chí {stt} chưa có điểm tối đa. Cần ghi điểm tối đa của tiêu chí.",
        "Mỗi tiêu chí không có tiêu chí con cần ghi điểm tối đa.",
        example=("Chấm điểm!C7", {"stt": "1.2"})),
    IssueType(
        "E315", "Phần chưa có điểm",
        "phần {part} chưa có điểm tự chấm và không có tiêu chí nào. Cần ghi điểm của phần hoặc "
        "các tiêu chí của nó.",
        "Một phần được chấm điểm nhưng không có điểm tự chấm và không có tiêu chí nào.",
        example=("Chấm điểm!D14", {"part": "II"})),
    IssueType(
        "E316", "Mức xếp loại không có",
        "tự xếp loại \"{value}\" không phải một mức xếp loại. Cần một trong: {expected}.",
        "Tự xếp loại phải là một trong các mức của bộ quy tắc chấm điểm.",
        example=("Thông tin!C20",
                 {"value": "Khá giỏi", "expected": "Xuất sắc, Tốt, Khá, Trung bình, Yếu"})),
    # arrangement plan (Chỉnh lý)
    IssueType(
        "E401", "Năm chỉnh lý lặp lại",
        "năm {year} xuất hiện lần nữa (đã có ở {first}). Mỗi năm chỉ một dòng.",
        "Trang \"Chỉnh lý\" chỉ ghi mỗi năm một dòng.",
        example=("Chỉnh lý!A5", {"year": "2020", "first": "Chỉnh lý!A4"})),
    IssueType(
        "E402", "Năm ngoài giai đoạn",
        "năm {year} nằm ngoài giai đoạn {period} của kế hoạch. Cần năm trong giai đoạn.",
        "Năm của dòng chỉnh lý nằm ngoài giai đoạn của kế hoạch chỉnh lý.",
        example=("Chỉnh lý!A6", {"year": "2023", "period": "2019-2021"})),
    IssueType(
        "E403", "Thiếu kế hoạch chỉnh lý",
        "trang \"Chỉnh lý\" có số liệu nhưng chưa ghi kế hoạch chỉnh lý. Cần điền mã "
        "\"ke_hoach_chinh_ly\" ở trang \"Thông tin\".",
        "Trang \"Chỉnh lý\" có số liệu nhưng trang \"Thông tin\" chưa ghi kế hoạch chỉnh lý.",
        example=("Thông tin", {"key": "ke_hoach_chinh_ly"})),
    # warnings
    IssueType(
        "W101", "Mã thông tin không dùng",
        "mã \"{key}\" không có trong danh sách mã nên bị bỏ qua. Kiểm tra lỗi chính tả; các mã "
        "dùng được: {expected}.",
        "Mã ở trang \"Thông tin\" không thuộc mẫu nên bị bỏ qua; thường là lỗi chính tả.",
        example=("Thông tin!B22", {"key": "ten_co_quann", "expected": "co_quan, ten_co_quan, …"})),
    IssueType(
        "W102", "Cột không thuộc mẫu",
        "cột \"{value}\" không thuộc mẫu nên bị bỏ qua.",
        "Trang có một cột không thuộc mẫu; cột đó không được đọc.",
        example=("Văn bản!E1", {"value": "Ghi chú riêng"})),
    IssueType(
        "W103", "Dòng bị ẩn",
        "dòng {row} đang bị ẩn nhưng vẫn được đọc. Kiểm tra xem dữ liệu này có cần không.",
        "Dòng đang bị ẩn trong Excel nhưng vẫn được đọc vào báo cáo; kiểm tra xem có cần không.",
        example=("Văn bản!A9", {"row": "9"})),
    IssueType(
        "W104", "Trang tính bị ẩn",
        "trang tính \"{sheet}\" đang bị ẩn nhưng vẫn được đọc.",
        "Trang đang bị ẩn trong Excel nhưng vẫn được đọc vào báo cáo.",
        example=("Căn cứ", {"sheet": "Căn cứ"})),
    IssueType(
        "W201", "Dấu chấm thập phân",
        "\"{value}\" được hiểu là {read} (dấu chấm thập phân kiểu quốc tế). Nên ghi "
        "{canonical}.",
        "Số dùng dấu chấm làm dấu thập phân kiểu quốc tế; đã đọc theo nghĩa đó. Nên ghi theo "
        "kiểu Việt Nam.",
        example=("Chỉnh lý!C4", {"value": "722.7", "read": "722,7", "canonical": "722,7"})),
    IssueType(
        "W202", "Số có thể hiểu hai cách",
        "\"{value}\" được hiểu là {read} (dấu phẩy là dấu thập phân). Nếu ý là {other} thì ghi "
        "{other}.",
        "Số có một dấu phẩy và ba chữ số sau nó, có thể là số thập phân hoặc số hàng nghìn.",
        example=("Chỉnh lý!C4", {"value": "1,500", "read": "1,5", "other": "1.500"})),
    IssueType(
        "W203", "Dấu phân cách ở cuối số",
        "\"{value}\" có dấu phân cách ở cuối, được hiểu là {read}. Nên ghi {canonical}.",
        "Số kết thúc bằng dấu chấm hoặc dấu phẩy; dấu đó bị bỏ qua.",
        example=("Văn bản!C3", {"value": "120.", "read": "120", "canonical": "120"})),
    IssueType(
        "W204", "Ký tự điều khiển",
        "đã xóa ký tự điều khiển không hiển thị được trong ô.",
        "Ô có ký tự điều khiển không hiển thị được (thường do sao chép từ phần mềm khác); đã "
        "xóa.",
        example=("Nội dung!B4", {})),
    IssueType(
        "W205", "Bảng mã cũ",
        "văn bản \"{value}\" có vẻ gõ bằng bảng mã cũ (TCVN3/VNI) nên sẽ hiển thị sai. Hãy "
        "chuyển sang Unicode (ví dụ bằng Unikey: Công cụ chuyển mã).",
        "Chữ trong ô có vẻ gõ bằng bảng mã TCVN3 hoặc VNI nên hiển thị sai trong báo cáo. "
        "Chuyển sang Unicode.",
        example=("Thông tin!C2", {"value": "Së Lao ®éng"})),
    IssueType(
        "W206", "Chữ số của hệ chữ khác",
        "\"{value}\" có chữ số không phải 0-9 thường ({script}); đã đọc là {read}. Nên gõ lại "
        "bằng chữ số thường.",
        "Ô có chữ số của hệ chữ khác (Ả Rập, chữ số toàn khổ của bộ gõ tiếng Trung, Nhật…), "
        "thường do sao chép; đã đọc theo giá trị của chúng. Gõ lại bằng chữ số 0-9.",
        example=("Văn bản!C3", {"value": "１２３", "script": "chữ số toàn khổ", "read": "123"})),
    IssueType(
        "W207", "Ngày ban hành quá xa năm báo cáo",
        "ngày ban hành {value} muộn hơn năm báo cáo {year} quá một năm. Kiểm tra lại ngày hoặc "
        "năm.",
        "Báo cáo năm thường ban hành trong năm đó hoặc đầu năm sau; một ngày muộn hơn thế "
        "thường là gõ nhầm năm.",
        example=("Thông tin!C8", {"key": "ngay", "value": "24/11/2031", "year": "2021"})),
    IssueType(
        "W301", "Loại văn bản lặp lại",
        "loại văn bản \"{value}\" lặp lại trong nhóm \"{group}\" (đã có ở {first}); hai số "
        "lượng được cộng lại.",
        "Một loại văn bản được ghi hai lần trong cùng một nhóm; hai số lượng được cộng lại.",
        example=("Văn bản!B8",
                 {"value": "Công văn", "group": "Văn bản đi", "first": "Văn bản!B3"})),
    IssueType(
        "W401", "Chỉnh lý vượt kế hoạch",
        "năm {year}: đã chỉnh lý {done} mét, nhiều hơn kế hoạch {planned} mét. Kiểm tra lại.",
        "Số mét đã chỉnh lý của một năm nhiều hơn kế hoạch của năm đó; kiểm tra lại số liệu.",
        example=("Chỉnh lý!C4", {"year": "2021", "done": "150", "planned": "120"})),
    IssueType(
        "W501", "Thiếu dòng Lưu ở nơi nhận",
        "không có dòng \"Lưu: …\" trong nơi nhận. Theo Nghị định 30/2020, dòng cuối là \"Lưu: "
        "VT, …\".",
        "Theo Nghị định 30/2020, dòng cuối của nơi nhận là \"Lưu: VT, …\".",
        example=("Nơi nhận", {})),
    # document registers (sổ đăng ký; validate/registers.py, Điều 15 NĐ 30/2020)
    IssueType(
        "E601", "Số, ký hiệu trùng",
        "số, ký hiệu \"{value}\" đã có ở {first}. Số và ký hiệu văn bản là duy nhất trong năm "
        "{year} (Điều 15 Nghị định 30/2020); cần sửa một trong hai dòng. Dòng trùng không được "
        "đếm lần nữa.",
        "Hai văn bản đi trong cùng năm có cùng số và ký hiệu (Điều 15 Nghị định 30/2020).",
        example=("Sổ văn bản đi!B12",
                 {"value": "05/SLĐTBXH-VP", "first": "Sổ văn bản đi!B6", "year": "2021"})),
    IssueType(
        "E602", "Ngày ngoài năm báo cáo",
        "{what} {value} không thuộc năm báo cáo {year}. Sổ đăng ký của năm chỉ ghi văn bản từ "
        "01/01 đến 31/12/{year}.",
        "Sổ đăng ký của một năm chỉ ghi văn bản trong năm đó.",
        example=("Sổ văn bản đi!C9",
                 {"what": "ngày văn bản", "value": "03/01/2022", "year": "2021"})),
    IssueType(
        "E603", "Số đến lặp lại",
        "{what} {number} lặp lại (đã có ở {first}). Mỗi văn bản đến vào sổ với một số đến "
        "riêng, liên tiếp.",
        "Mỗi văn bản đến vào sổ với một số đến riêng, liên tiếp.",
        example=("Sổ văn bản đến!B20",
                 {"what": "số đến", "number": "17", "first": "Sổ văn bản đến!B19"})),
    IssueType(
        "E604", "Ngày đến trước ngày văn bản",
        "ngày đến {arrived} sớm hơn ngày của văn bản {issued} ({cell_issued}). Ngày đến không "
        "thể trước ngày văn bản; cần sửa một trong hai ngày.",
        "Ngày đến của văn bản không thể sớm hơn ngày của chính văn bản đó.",
        example=("Sổ văn bản đến!A7",
                 {"arrived": "02/03/2021", "issued": "05/03/2021",
                  "cell_issued": "Sổ văn bản đến!D7"})),
    IssueType(
        "E605", "Thiếu cột bắt buộc của sổ",
        "thiếu \"{column}\". Cần điền \"{column}\" cho mọi văn bản đã vào sổ.",
        "Mỗi văn bản đã vào sổ phải có giá trị ở cột này.",
        example=("Sổ văn bản đi!B9", {"column": "Số, ký hiệu văn bản"})),
    IssueType(
        "E606", "Số, ký hiệu không đúng dạng",
        "số, ký hiệu \"{value}\" không đúng dạng. Cần số, dấu \"/\" rồi ký hiệu, ví dụ "
        "218/BC-SLĐTBXH hoặc 05/SLĐTBXH-VP.",
        "Số, ký hiệu văn bản gồm số, dấu \"/\" rồi ký hiệu (Phụ lục III Nghị định 30/2020).",
        example=("Sổ văn bản đi!B9", {"value": "05-SLĐTBXH"})),
    IssueType(
        "E610", "Không có sổ đăng ký văn bản",
        "tệp không có sổ đăng ký văn bản: không có trang {names} và không trang nào có dòng "
        "tiêu đề của sổ (Phụ lục IV Nghị định 30/2020). Cần một trang có các cột của sổ đăng "
        "ký văn bản đi hoặc đến.",
        "Tệp đưa vào --so-van-ban không có trang nào mang các cột của sổ đăng ký văn bản (Phụ "
        "lục IV Nghị định 30/2020).",
        example=("so-van-ban.xlsx", {"names": "\"Sổ văn bản đi\", \"Sổ văn bản đến\""})),
    IssueType(
        "E611", "Không thấy tiêu đề của sổ",
        "không tìm thấy dòng tiêu đề trong {rows} dòng đầu: thiếu cột {missing}. Cần một dòng "
        "tiêu đề có các cột {expected} (Phụ lục IV Nghị định 30/2020).",
        "Trang sổ đăng ký văn bản không có dòng tiêu đề với đủ các cột của Phụ lục IV.",
        example=("Sổ văn bản đi",
                 {"rows": "10", "missing": "\"Số, ký hiệu văn bản\"",
                  "expected": "\"Số, ký hiệu văn bản\", \"Ngày tháng văn bản\""})),
    IssueType(
        "E612", "Số thứ tự không hợp lệ",
        "\"{value}\" không phải số thứ tự hợp lệ. Cần số nguyên từ 1 trở lên.",
        "Số đến hoặc số thứ tự trong sổ là số nguyên từ 1 trở lên.",
        example=("Sổ văn bản đến!B8", {"value": "0"})),
    IssueType(
        "E690", "Còn nhiều lỗi cùng loại",
        "còn {n} lỗi khác cùng mã {capped} (tổng cộng {total}) không liệt kê ở đây. Sửa các "
        "lỗi trên rồi kiểm tra lại.",
        "Một mã lỗi xuất hiện quá nhiều lần trong một sổ; chỉ những lần đầu được liệt kê.",
        example=("Sổ văn bản đi", {"n": "180", "capped": "E605", "total": "380"})),
    IssueType(
        "W601", "Dãy số bị thiếu",
        "dãy {what}{series} thiếu {n} số: {missing}. Số phải liên tiếp từ 01 đến số cuối "
        "{last} (Điều 15 Nghị định 30/2020); kiểm tra các số bị bỏ hoặc chưa vào sổ.",
        "Số văn bản phải liên tiếp trong năm (Điều 15 Nghị định 30/2020); có những số bị bỏ "
        "hoặc chưa vào sổ.",
        example=("Sổ văn bản đi",
                 {"what": "số văn bản", "series": " SLĐTBXH-VP", "n": "3", "missing": "12, 15-16",
                  "last": "218"})),
    IssueType(
        "W602", "Số sau có ngày sớm hơn",
        "{what} {number} ngày {date} sớm hơn {what} {other} ngày {other_date} ({other_cell}). "
        "Số cấp sau cần có ngày bằng hoặc sau ngày của số cấp trước (Điều 15 Nghị định "
        "30/2020).",
        "Số cấp sau cần có ngày bằng hoặc sau ngày của số cấp trước (Điều 15 Nghị định "
        "30/2020).",
        example=("Sổ văn bản đi!C30",
                 {"what": "số", "number": "31", "date": "02/03/2021", "other": "30",
                  "other_date": "04/03/2021", "other_cell": "Sổ văn bản đi!C29"})),
    IssueType(
        "W603", "Một số cấp cho hai văn bản",
        "{what} {number} đã cấp cho văn bản ở {first}. Trong một dãy số, mỗi số chỉ cấp cho "
        "một văn bản.",
        "Trong một dãy số, mỗi số chỉ cấp cho một văn bản.",
        example=("Sổ văn bản đi!B40",
                 {"what": "số", "number": "31", "first": "Sổ văn bản đi!B30"})),
    IssueType(
        "W605", "Văn bản đến có thể bị nhập trùng",
        "văn bản \"{value}\" cùng tác giả, cùng ngày đã vào sổ ở {first}. Mỗi văn bản đến chỉ "
        "đăng ký một lần; kiểm tra xem có nhập trùng không.",
        "Hai dòng của sổ văn bản đến cùng số ký hiệu, cùng tác giả, cùng ngày.",
        example=("Sổ văn bản đến!D25", {"value": "12/UBND-VX", "first": "Sổ văn bản đến!D24"})),
    IssueType(
        "W606", "Chữ viết tắt tên loại không có",
        "chữ viết tắt \"{abbr}\" trong ký hiệu \"{value}\" không có trong bảng chữ viết tắt "
        "tên loại văn bản (Phụ lục III Nghị định 30/2020); văn bản được tính là \"{kind}\". "
        "Kiểm tra lại ký hiệu.",
        "Chữ viết tắt trong ký hiệu không có trong bảng chữ viết tắt tên loại văn bản của Phụ "
        "lục III.",
        example=("Sổ văn bản đi!B9",
                 {"abbr": "BCC", "value": "05/BCC-SLĐTBXH", "kind": "Văn bản khác"})),
    IssueType(
        "W607", "Không xác định được loại văn bản",
        "không xác định được loại văn bản: ký hiệu không có chữ viết tắt tên loại và trích yếu "
        "\"{value}\" không bắt đầu bằng tên loại; văn bản được tính là \"Văn bản khác\". Nên "
        "ghi tên loại ở đầu cột \"Tên loại và trích yếu nội dung văn bản\".",
        "Cả ký hiệu lẫn trích yếu đều không cho biết tên loại văn bản; văn bản được tính là "
        "\"Văn bản khác\".",
        example=("Sổ văn bản đi!D9", {"value": "V/v cử cán bộ"})),
    IssueType(
        "W608", "Số liệu nhóm khác sổ đăng ký",
        "nhóm \"{group}\": trang này ghi {typed} văn bản, sổ đăng ký ({registers}) đếm được "
        "{counted}. Báo cáo dùng số liệu của trang này; kiểm tra lại.",
        "Số văn bản ghi trong trang \"Văn bản\" khác số đếm được từ sổ đăng ký.",
        example=("Văn bản!C12",
                 {"group": "Văn bản đi", "typed": "218", "registers": "Sổ văn bản đi",
                  "counted": "215"})),
    IssueType(
        "W609", "Số liệu loại văn bản khác sổ đăng ký",
        "\"{kind}\" thuộc nhóm \"{group}\": trang này ghi {typed}, sổ đăng ký ({registers}) "
        "đếm được {counted}. Báo cáo dùng số liệu của trang này; kiểm tra lại.",
        "Số văn bản của một loại ghi trong trang \"Văn bản\" khác số đếm được từ sổ đăng ký.",
        example=("Văn bản!C4",
                 {"kind": "Công văn", "group": "Văn bản đi", "typed": "120",
                  "registers": "Sổ văn bản đi", "counted": "118"})),
    IssueType(
        "W610", "Trang sổ bị bỏ qua",
        "trang này bị bỏ qua vì sổ đăng ký văn bản được lấy từ tệp {file} (--so-van-ban).",
        "Sổ đăng ký được lấy từ tệp đưa vào --so-van-ban, nên trang sổ trong sổ Excel của đơn "
        "vị bị bỏ qua.",
        example=("Sổ văn bản đi", {"file": "so-van-ban.xlsx"})),
    IssueType(
        "W690", "Còn nhiều cảnh báo cùng loại",
        "còn {n} cảnh báo khác cùng mã {capped} (tổng cộng {total}) không liệt kê ở đây.",
        "Một mã cảnh báo xuất hiện quá nhiều lần trong một sổ; chỉ những lần đầu được liệt kê.",
        example=("Sổ văn bản đi", {"n": "180", "capped": "W606", "total": "380"})),

    # the Sở Nội vụ's inputs to `batch` (--don-vi, --nam-truoc, --tham-dinh)
    IssueType(
        "E701", "Đơn vị lặp lại trong danh sách",
        "đơn vị \"{value}\" đã có ở {first} (trùng tên sau khi bỏ dấu, hoa/thường và "
        "khoảng trắng). Mỗi đơn vị chỉ ghi một dòng.",
        "Danh sách đơn vị (--don-vi) ghi một đơn vị hai lần; giữ lại một dòng.",
        example=("Đơn vị!A12", {"value": "UBND xã Thạch Hà", "first": "Đơn vị!A5"})),
    IssueType(
        "E702", "Một đơn vị nộp nhiều sổ",
        "đơn vị \"{value}\" ({first}) có {n} sổ: {files}. Mỗi đơn vị chỉ nộp một sổ; "
        "cần bỏ sổ thừa rồi chạy lại. Đơn vị này chưa được xếp hạng.",
        "Hai sổ Excel trong lần tổng hợp cùng thuộc một đơn vị của danh sách; không sổ nào "
        "được chọn thay người dùng.",
        example=("danh-sach.xlsx", {"value": "Sở Nội vụ", "first": "Đơn vị!A4", "n": "2",
                                    "files": "a/so-noi-vu.xlsx, b/so-noi-vu.xlsx"})),
    IssueType(
        "E703", "Xếp loại năm trước không có",
        "\"{value}\" không phải mức xếp loại của quy tắc. Cần một trong: {expected}.",
        "Bảng tổng hợp năm trước (--nam-truoc) ghi một mức xếp loại mà bộ quy tắc không có.",
        example=("Tổng hợp!H5", {"value": "Khá giỏi", "expected": "Xuất sắc, Tốt, Khá"})),
    IssueType(
        "E704", "Điểm thẩm định ngoài khoảng",
        "điểm thẩm định {value} nằm ngoài khoảng cho phép. Cần từ 0 đến {maximum}.",
        "Điểm thẩm định phải nằm trong khoảng điểm của bộ quy tắc.",
        example=("Tổng hợp!Q4", {"value": "120", "maximum": "105"})),
    IssueType(
        "E705", "Dòng thẩm định không khớp đơn vị",
        "dòng \"{value}\" không khớp đơn vị nào của lần tổng hợp này. Cần Cơ quan, Ký "
        "hiệu (hoặc Báo cáo) như trong tong-hop.xlsx.",
        "Một dòng của bảng thẩm định (--tham-dinh) có điểm nhưng không thuộc đơn vị nào đã nộp.",
        example=("Tổng hợp!C9", {"value": "Sở Ngoại vụ"})),
    IssueType(
        "E706", "Dòng thẩm định khớp nhiều đơn vị",
        "dòng \"{value}\" khớp {n} đơn vị ({files}). Cần ghi cột \"Báo cáo\" để chỉ rõ "
        "một đơn vị.",
        "Tên và ký hiệu của dòng thẩm định ứng với nhiều đơn vị; cột Báo cáo chỉ rõ đơn vị nào.",
        example=("Tổng hợp!C9", {"value": "UBND xã", "n": "2",
                                 "files": "xa-a.docx, xa-b.docx"})),
    IssueType(
        "E707", "Đơn vị thẩm định hai lần",
        "đơn vị \"{value}\" đã có điểm thẩm định ở {first}. Mỗi đơn vị chỉ một điểm.",
        "Bảng thẩm định cho một đơn vị hai điểm; giữ lại một dòng.",
        example=("Tổng hợp!Q12", {"value": "Sở Nội vụ", "first": "Tổng hợp!Q4"})),
    IssueType(
        "W701", "Sổ ngoài danh sách đơn vị",
        "sổ của \"{value}\" không khớp đơn vị nào trong danh sách đơn vị {roster}. Kiểm "
        "tra tên cơ quan, ký hiệu hoặc bổ sung danh sách.",
        "Một sổ đã nộp không thuộc đơn vị nào của danh sách; sổ vẫn được xếp hạng.",
        example=("nop-ve/so-moi.xlsx", {"value": "Sở Du lịch", "roster": "danh-sach.xlsx"})),
    # limits of size (contract.py, docs/limits.md): beyond them a located error, not a crash
    IssueType(
        "E108", "Trang tính quá lớn",
        "{detail}, vượt giới hạn {limit} mà một báo cáo đơn vị có thể cần. Hãy xóa các "
        "dòng, cột, ô thừa (kể cả ô trống đã định dạng) rồi lưu lại.",
        "Trang tính có nhiều dòng, ô hoặc chữ hơn mọi báo cáo đơn vị cần; tệp bị từ chối "
        "trước khi đọc hết để không làm treo máy.",
        example=("Văn bản!A100001", {"detail": "trang tính có hơn 100.000 dòng",
                                     "limit": "100.000 dòng"})),
    IssueType(
        "E109", "Quá nhiều vùng gộp ô",
        "trang tính có quá nhiều vùng gộp ô ({detail}). Hãy bỏ gộp các ô không cần "
        "(Home > Merge & Center > Unmerge Cells) rồi lưu lại.",
        "Các vùng gộp ô chồng lên nhau quá nhiều, điều không báo cáo nào cần.",
        example=("Văn bản", {"detail": "20.000 vùng phủ lên dòng tiêu đề"})),
    IssueType(
        "E217", "Số vượt mức tối đa",
        "{value} lớn hơn mức tối đa {maximum} cho {what}. Cần một số từ 0 đến {maximum}; "
        "kiểm tra xem có gõ thừa chữ số không.",
        "Mỗi loại số (số văn bản, mét, tiền, điểm) có mức tối đa hợp lý "
        "(docs/limits.md); số lớn hơn thường là gõ thừa chữ số.",
        example=("Văn bản!C3", {"value": "90.000.000", "maximum": "10.000.000",
                                "what": "số lượng văn bản"})),
)

CATALOGUE: dict[str, IssueType] = {t.code: t for t in TYPES}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    key: str | None
    message: str
    params: tuple[tuple[str, str], ...] = field(default=())  # the values in the message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet,
                "cell": self.cell, "key": self.key, "message": self.message,
                "title": self.title, "params": dict(self.params)}


def where(sheet: str | None, cell: str | None = None, key: str | None = None) -> str:
    """`Thông tin!C9 (ngay — ngày ban hành)`: a key's cell names its field too."""
    if sheet and cell and key and (name := field_name(key)):
        return f"{sheet}!{cell} ({key} — {name})"
    if sheet and cell:
        return f"{sheet}!{cell}"
    if sheet and key:
        return f"{sheet}, mã {key}"
    return sheet or ""


def make(code: str, sheet: str | None = None, cell: str | None = None,
         key: str | None = None, **params: object) -> Issue:
    """An issue from the catalogue; the place leads its message so it reads on its own."""
    kind = CATALOGUE[code]
    body = kind.template.format(sheet=sheet, key=key, **params)
    place = where(sheet, cell, key)
    message = f"{place}: {body}" if place else body[:1].upper() + body[1:]
    kept = tuple((name, str(params[name])) for name in kind.params if name in params)
    return Issue(code, kind.severity, sheet, cell, key, message, kept)


def _example_place(place: str) -> dict[str, str | None]:
    sheet, _, cell = place.partition("!")
    return {"sheet": sheet or None, "cell": cell or None}


def example_message(kind: IssueType) -> str:
    place, params = kind.example
    at = _example_place(place)
    key = params.get("key")
    rest = {k: v for k, v in params.items() if k not in _PLACE_FIELDS}
    if "sheet" in params:
        at["sheet"] = params["sheet"]
    return make(kind.code, at["sheet"], at["cell"] if not key else None, key, **rest).message


def codes_markdown() -> str:
    """docs/codes.md: every code with its title, description, parameters and an example."""
    lines = [
        "# Mã lỗi và cảnh báo",
        "",
        "Tệp này được sinh từ danh mục trong `src/baocao_cli/issues.py` "
        "(`python -m baocao_cli.issues > docs/codes.md`); đừng sửa tay.",
        "",
        "Mã bắt đầu bằng `E` là lỗi (sổ bị từ chối, không lập báo cáo), bằng `W` là cảnh báo "
        "(báo cáo vẫn được lập). Mỗi vấn đề trong `baocao validate --format json` có `code`, "
        "`title`, `message` và `params` (các giá trị dựng nên thông báo, theo tên tham số dưới "
        "đây), cùng `sheet`, `cell` hoặc `key` chỉ nơi có vấn đề.",
        "",
    ]
    for kind in TYPES:
        lines.append(f"## {kind.code} — {kind.title}")
        lines.append("")
        lines.append(kind.description)
        lines.append("")
        shown = [p for p in kind.params if p not in _PLACE_FIELDS]
        lines.append("Tham số: " + (", ".join(f"`{p}`" for p in shown) if shown else "không có")
                     + ".")
        lines.append("")
        lines.append(f"Ví dụ: {example_message(kind)}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.write(codes_markdown())
