"""baocao: báo cáo công tác văn thư, lưu trữ từ sổ Excel (Nghị định 30/2020/NĐ-CP)."""

__version__ = "0.1.0"
