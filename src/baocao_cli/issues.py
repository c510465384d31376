"""Problems found in a workbook, as values: a code from the catalogue, a place, a message.

Every message is built from the catalogue below, so the same problem reads the same in
`validate`, `build` and `batch`, and the codes are stable for machines (JSON output).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# code: message template. The code's first letter gives the severity (E error, W warning).
# Templates say what was found and what is expected; the place is prefixed by `make`.
CATALOGUE: dict[str, str] = {
    # the file itself
    "E001": "không tìm thấy tệp. Cần đường dẫn tới một sổ tính (.xlsx, .xls, .ods) có thật.",
    "E002": "tệp rỗng (0 byte). Cần một sổ tính (.xlsx, .xls, .ods) có dữ liệu.",
    "E003": "không phải sổ tính Excel (.xlsx, .xls) hay LibreOffice (.ods) ({detail}). Hãy mở "
            "tệp bằng Excel hoặc LibreOffice và lưu lại dưới dạng \"Excel Workbook (.xlsx)\".",
    "E004": "là {detail}, không phải sổ tính đọc được. Cần sổ .xlsx, .xls hoặc .ods: hãy mở "
            "bằng Excel hoặc LibreOffice và lưu lại dưới dạng \"Excel Workbook (.xlsx)\".",
    "E005": "sổ Excel được bảo vệ bằng mật khẩu (đã mã hóa) nên không đọc được. Hãy gỡ mật "
            "khẩu (File > Info > Protect Workbook) rồi lưu lại.",
    "E006": "sổ tính bị hỏng, không đọc được ({detail}). Hãy mở và lưu lại bằng Excel "
            "hoặc LibreOffice, hoặc lấy lại bản gốc.",
    "E007": "tệp quá lớn khi giải nén ({detail}); giới hạn là {limit}. Một báo cáo đơn vị "
            "không cần dung lượng như vậy: kiểm tra lại tệp.",
    "E008": "thư mục không có sổ tính nào (.xlsx, .xls, .ods). Cần ít nhất một sổ tính.",
    "E009": "tệp có khai báo DTD/thực thể XML trong phần {part}, điều mà sổ Excel thật không "
            "bao giờ có (có thể là tệp bị làm giả để tấn công). Tệp bị từ chối; hãy lấy lại bản "
            "gốc hoặc mở và lưu lại bằng Excel.",
    # structure
    "E101": "thiếu trang tính bắt buộc \"{sheet}\". Cần một trang tính tên \"{sheet}\".",
    "E102": "hai trang tính \"{first}\" và \"{second}\" trùng tên sau khi bỏ dấu, hoa/thường "
            "và khoảng trắng. Cần giữ lại một trang.",
    "E103": "không tìm thấy dòng tiêu đề trong 10 dòng đầu: thiếu cột {missing}. Cần một dòng "
            "tiêu đề có các cột {expected}.",
    "E104": "thiếu mã bắt buộc \"{key}\" ({label}). Cần một dòng có Mã \"{key}\" và Giá trị.",
    "E105": "mã \"{key}\" xuất hiện lần nữa (đã có ở {first}). Mỗi mã chỉ ghi một lần.",
    "E106": "chưa điền giá trị cho \"{key}\" ({label}). Cần điền giá trị này.",
    "E107": "trang tính \"{sheet}\" không có dòng dữ liệu nào. Cần ít nhất một dòng.",
    # values
    "E201": "\"{value}\" không phải là số. Cần một số, ví dụ 8.800 hoặc 143,63.",
    "E202": "\"{value}\" không phải số nguyên. Cần một số nguyên (không có phần thập phân).",
    "E203": "số âm {value}. Cần số không âm (lớn hơn hoặc bằng 0).",
    "E204": "\"{value}\" không phải ngày hợp lệ. Cần ngày dạng dd/mm/yyyy, ví dụ 24/11/2021.",
    "E205": "ô có công thức \"{formula}\" nhưng chưa có giá trị đã tính (tệp do chương trình "
            "tạo và chưa từng mở trong Excel). Hãy mở tệp bằng Excel hoặc LibreOffice rồi lưu "
            "lại để công thức được tính.",
    "E206": "ô báo lỗi công thức {value}. Cần sửa công thức hoặc nhập giá trị.",
    "E207": "năm {value} nằm ngoài khoảng cho phép. Cần năm từ {low} đến {high}.",
    "E208": "ký hiệu \"{value}\" không đúng dạng. Cần chữ in hoa (kể cả Đ) và chữ số, các nhóm "
            "nối bằng dấu \"-\", không có khoảng trắng, ví dụ SLĐTBXH hoặc UBND-VP.",
    "E209": "quyền hạn ký \"{value}\" không đúng. Cần bắt đầu bằng TM., Q., KT., TL. hoặc TUQ. "
            "(ví dụ KT. GIÁM ĐỐC).",
    "E210": "giai đoạn \"{value}\" không đúng dạng. Cần hai năm nối bằng dấu \"-\", năm đầu "
            "không lớn hơn năm sau, ví dụ 2019-2021.",
    "E211": "nhóm \"{value}\" không có trong danh sách. Cần một trong: {expected}.",
    "E212": "mục \"{value}\" không có trong danh sách. Cần một trong: {expected}.",
    "E213": "số văn bản {value} không hợp lệ. Cần số nguyên từ 1 trở lên, hoặc để trống.",
    "E214": "\"{value}\" không phải giá trị điền được vào đây. Cần {expected}.",
    "E215": "dòng có \"{value}\" nhưng thiếu {missing}. Cần điền {missing}.",
    # scoring (Chấm điểm)
    "E301": "tiêu chí \"{stt}\" đứng trước dòng phần (I, II, …) đầu tiên. Cần đặt dòng phần "
            "trước các tiêu chí của nó.",
    "E302": "STT \"{stt}\" không đúng dạng. Cần mã phần ({parts}) hoặc số tiêu chí như 1, 2.1, "
            "a).",
    "E303": "STT \"{stt}\" lặp lại trong phần {part} (đã có ở {first}). Mỗi STT chỉ dùng một lần.",
    "E304": "phần {part} xuất hiện lần nữa (đã có ở {first}). Mỗi phần chỉ ghi một lần.",
    "E305": "tiêu chí {stt} chưa có điểm tự chấm. Cần ghi điểm (ghi 0 nếu không đạt).",
    "E306": "tiêu chí {stt}: điểm tự chấm {score} lớn hơn điểm tối đa {maximum}. Cần từ 0 đến "
            "{maximum}.",
    "E307": "tiêu chí {stt}: điểm tối đa {maximum} khác tổng điểm tối đa các tiêu chí con "
            "{children}. Cần {children}.",
    "E308": "tiêu chí {stt}: điểm tự chấm {score} khác tổng điểm các tiêu chí con {children}. "
            "Cần {children} hoặc để trống.",
    "E309": "phần {part}: điểm tối đa {found} khác quy định {expected} ({rules}). Cần {expected} "
            "hoặc để trống.",
    "E310": "phần {part}: điểm {score} lớn hơn điểm tối đa {maximum}. Cần từ 0 đến {maximum}.",
    "E311": "phần {part}: điểm tự chấm {score} khác tổng điểm các tiêu chí {items}. Cần {items} "
            "hoặc để trống.",
    "E312": "thiếu phần {part} \"{name}\" của bảng chấm điểm. Cần một dòng có STT \"{part}\".",
    "E313": "tự xếp loại \"{declared}\" khác kết quả tính được: tổng {total} điểm, xếp loại "
            "\"{computed}\". Cần ghi \"{computed}\" hoặc sửa điểm.",
    "E314": "tiêu chí {stt} chưa có điểm tối đa. Cần ghi điểm tối đa của tiêu chí.",
    "E315": "phần {part} chưa có điểm tự chấm và không có tiêu chí nào. Cần ghi điểm của phần "
            "hoặc các tiêu chí của nó.",
    "E316": "tự xếp loại \"{value}\" không phải một mức xếp loại. Cần một trong: {expected}.",
    # arrangement plan (Chỉnh lý)
    "E401": "năm {year} xuất hiện lần nữa (đã có ở {first}). Mỗi năm chỉ một dòng.",
    "E402": "năm {year} nằm ngoài giai đoạn {period} của kế hoạch. Cần năm trong giai đoạn.",
    "E403": "trang \"Chỉnh lý\" có số liệu nhưng chưa ghi kế hoạch chỉnh lý. Cần điền mã "
            "\"ke_hoach_chinh_ly\" ở trang \"Thông tin\".",
    # warnings
    "W101": "mã \"{key}\" không có trong danh sách mã nên bị bỏ qua. Kiểm tra lỗi chính tả; các "
            "mã dùng được: {expected}.",
    "W102": "cột \"{value}\" không thuộc mẫu nên bị bỏ qua.",
    "W103": "dòng {row} đang bị ẩn nhưng vẫn được đọc. Kiểm tra xem dữ liệu này có cần không.",
    "W104": "trang tính \"{sheet}\" đang bị ẩn nhưng vẫn được đọc.",
    "W201": "\"{value}\" được hiểu là {read} (dấu chấm thập phân kiểu quốc tế). Nên ghi "
            "{canonical}.",
    "W202": "\"{value}\" được hiểu là {read} (dấu phẩy là dấu thập phân). Nếu ý là {other} thì "
            "ghi {other}.",
    "W203": "\"{value}\" có dấu phân cách ở cuối, được hiểu là {read}. Nên ghi {canonical}.",
    "W204": "đã xóa ký tự điều khiển không hiển thị được trong ô.",
    "W205": "văn bản \"{value}\" có vẻ gõ bằng bảng mã cũ (TCVN3/VNI) nên sẽ hiển thị sai. Hãy "
            "chuyển sang Unicode (ví dụ bằng Unikey: Công cụ chuyển mã).",
    "W301": "loại văn bản \"{value}\" lặp lại trong nhóm \"{group}\" (đã có ở {first}); hai số "
            "lượng được cộng lại.",
    "W401": "năm {year}: đã chỉnh lý {done} mét, nhiều hơn kế hoạch {planned} mét. Kiểm tra lại.",
    "W501": "không có dòng \"Lưu: …\" trong nơi nhận. Theo Nghị định 30/2020, dòng cuối là "
            "\"Lưu: VT, …\".",
    # document registers (sổ đăng ký văn bản đi / đến; registers.py, Điều 15 NĐ 30/2020)
    "E601": "số, ký hiệu \"{value}\" đã có ở {first}. Số và ký hiệu văn bản là duy nhất trong "
            "năm {year} (Điều 15 Nghị định 30/2020); cần sửa một trong hai dòng. Dòng trùng "
            "không được đếm lần nữa.",
    "E602": "{what} {value} không thuộc năm báo cáo {year}. Sổ đăng ký của năm chỉ ghi văn bản "
            "từ 01/01 đến 31/12/{year}.",
    "E603": "{what} {number} lặp lại (đã có ở {first}). Mỗi văn bản đến vào sổ với một số đến "
            "riêng, liên tiếp.",
    "E604": "ngày đến {arrived} sớm hơn ngày của văn bản {issued} ({cell_issued}). Ngày đến "
            "không thể trước ngày văn bản; cần sửa một trong hai ngày.",
    "E605": "thiếu \"{column}\". Cần điền \"{column}\" cho mọi văn bản đã vào sổ.",
    "E606": "số, ký hiệu \"{value}\" không đúng dạng. Cần số, dấu \"/\" rồi ký hiệu, ví dụ "
            "218/BC-SLĐTBXH hoặc 05/SLĐTBXH-VP.",
    "E610": "tệp không có sổ đăng ký văn bản: không có trang {names} và không trang nào có dòng "
            "tiêu đề của sổ (Phụ lục IV Nghị định 30/2020). Cần một trang có các cột của sổ "
            "đăng ký văn bản đi hoặc đến.",
    "E611": "không tìm thấy dòng tiêu đề trong {rows} dòng đầu: thiếu cột {missing}. Cần một "
            "dòng tiêu đề có các cột {expected} (Phụ lục IV Nghị định 30/2020).",
    "E612": "\"{value}\" không phải số thứ tự hợp lệ. Cần số nguyên từ 1 trở lên.",
    "E690": "còn {n} lỗi khác cùng mã {capped} (tổng cộng {total}) không liệt kê ở đây. Sửa các "
            "lỗi trên rồi kiểm tra lại.",
    "W601": "dãy {what}{series} thiếu {n} số: {missing}. Số phải liên tiếp từ 01 đến số cuối "
            "{last} (Điều 15 Nghị định 30/2020); kiểm tra các số bị bỏ hoặc chưa vào sổ.",
    "W602": "{what} {number} ngày {date} sớm hơn {what} {other} ngày {other_date} "
            "({other_cell}). Số cấp sau cần có ngày bằng hoặc sau ngày của số cấp trước "
            "(Điều 15 Nghị định 30/2020).",
    "W603": "{what} {number} đã cấp cho văn bản ở {first}. Trong một dãy số, mỗi số chỉ cấp "
            "cho một văn bản.",
    "W605": "văn bản \"{value}\" cùng tác giả, cùng ngày đã vào sổ ở {first}. Mỗi văn bản đến "
            "chỉ đăng ký một lần; kiểm tra xem có nhập trùng không.",
    "W606": "chữ viết tắt \"{abbr}\" trong ký hiệu \"{value}\" không có trong bảng chữ viết "
            "tắt tên loại văn bản (Phụ lục III Nghị định 30/2020); văn bản được tính là "
            "\"{kind}\". Kiểm tra lại ký hiệu.",
    "W607": "không xác định được loại văn bản: ký hiệu không có chữ viết tắt tên loại và trích "
            "yếu \"{value}\" không bắt đầu bằng tên loại; văn bản được tính là \"Văn bản "
            "khác\". Nên ghi tên loại ở đầu cột \"Tên loại và trích yếu nội dung văn bản\".",
    "W608": "nhóm \"{group}\": trang này ghi {typed} văn bản, sổ đăng ký ({registers}) đếm "
            "được {counted}. Báo cáo dùng số liệu của trang này; kiểm tra lại.",
    "W609": "\"{kind}\" thuộc nhóm \"{group}\": trang này ghi {typed}, sổ đăng ký "
            "({registers}) đếm được {counted}. Báo cáo dùng số liệu của trang này; kiểm tra lại.",
    "W610": "trang này bị bỏ qua vì sổ đăng ký văn bản được lấy từ tệp {file} (--so-van-ban).",
    "W690": "còn {n} cảnh báo khác cùng mã {capped} (tổng cộng {total}) không liệt kê ở đây.",
}


@dataclass(frozen=True)
class Issue:
    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    key: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


def where(sheet: str | None, cell: str | None = None, key: str | None = None) -> str:
    if sheet and cell:
        return f"{sheet}!{cell}"
    if sheet and key:
        return f"{sheet}, mã {key}"
    return sheet or ""


def make(code: str, sheet: str | None = None, cell: str | None = None,
         key: str | None = None, **params: object) -> Issue:
    """An issue from the catalogue; the place leads its message so it reads on its own."""
    body = CATALOGUE[code].format(sheet=sheet, key=key, **params)
    place = where(sheet, cell, key)
    message = f"{place}: {body}" if place else body[:1].upper() + body[1:]
    return Issue(code, "error" if code[0] == "E" else "warning", sheet, cell, key, message)


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.is_error]


def warnings(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if not i.is_error]
