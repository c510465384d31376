"""The column-wise register reading and checks against the row-by-row ones they replaced
(register_reference.py): on generated registers full of slips, written the ways real files
come (openpyxl's inline strings, Excel's shared strings, a namespace prefix, rows out of
order), the issues (codes, cells, messages, order), the counts, the summaries and the rows
read must be the same."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import register_reference as reference

from baocao_cli.model import Info
from baocao_cli.read import sheet_xml
from baocao_cli.read.sheet_xml import Workbook, _dates, _plain_shared_strings
from baocao_cli.validate.registers import check_registers, read_registers

D = dt.datetime
INFO = Info(nam=2021, ky_hieu="UBND")
OUT_HEAD = ["STT", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
            "Tên loại và trích yếu nội dung văn bản", "Người ký", "Nơi nhận văn bản", "Độ mật",
            "Sổ", "Độ khẩn"]
IN_HEAD = ["STT", "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
           "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận", "Độ mật", "Sổ"]
ABBRS = ["BC", "QĐ", "KH", "TTr", "TB", "KL", "qd", "Qđ", "XYZ", ""]  # "": a Công văn
SUMMARIES = ["Báo cáo tháng", "V/v lịch họp", "Kế hoạch kiểm tra", "Nội dung lạ",
             "Quyết định khen thưởng", "", "  ", "Thông báo kết luận", "Tờ trình kinh phí",
             "Nội dung A&B <mới>"]


def _pick(rng: random.Random, *weighted: tuple[int, Any]) -> Any:
    return rng.choices([v for _, v in weighted], [w for w, _ in weighted])[0]


def _code(rng: random.Random, n: int) -> Any:
    abbr = rng.choice(ABBRS)
    form = _pick(rng, (70, "plain"), (5, "legal"), (4, "bad"), (3, "int"), (3, "blank"),
                 (3, "none"), (2, "formula"), (2, "error"), (3, "spaced"), (2, "float"))
    if form == "legal":
        return f"{n:02d}/{rng.choice([2020, 2021])}/{abbr or 'NQ'}-UBND"
    if form == "bad":
        return rng.choice(["không số", "ABC-UBND", "/BC-UBND", f"{n}/KH&ĐT-UBND"])
    if form == "int":
        return n
    if form == "float":
        return float(n)
    if form == "blank":
        return rng.choice(["", " ", "\u00a0"])
    if form == "none":
        return None
    if form == "formula":
        return "=B2&\"x\""
    if form == "error":
        return rng.choice(["#N/A", "#REF!"])
    text = f"{n:02d}/{abbr}-UBND" if abbr else f"{n:02d}/UBND-VP"
    return f" {text.replace('/', ' / ')} " if form == "spaced" else text


def _date(rng: random.Random, day: dt.datetime) -> Any:
    form = _pick(rng, (80, "ok"), (4, "year"), (3, "text"), (2, "badtext"), (3, "none"),
                 (2, "date"), (2, "time"), (1, "formula"), (1, "error"), (2, "number"))
    if form == "year":
        return day.replace(year=rng.choice([2020, 2022]))
    if form == "text":
        return day.strftime("%d/%m/%Y")
    if form == "badtext":
        return rng.choice(["32/13/2021", "hôm qua"])
    if form == "none":
        return None
    if form == "date":
        return day.date()
    if form == "time":
        return dt.time(9, 30)
    if form == "formula":
        return "=TODAY()"
    if form == "error":
        return "#VALUE!"
    if form == "number":
        return rng.choice([44200, 5])
    return day + dt.timedelta(minutes=rng.randrange(0, 1440))


def _secrecy(rng: random.Random) -> tuple[Any, Any]:
    do_mat = _pick(rng, (85, None), (5, "Mật"), (3, "Thường"), (2, "Tối mật"), (2, " "),
                   (1, "Không"), (2, 0))
    so = _pick(rng, (85, None), (5, "Sổ văn bản mật"), (5, "Sổ quyết định"), (2, " "),
               (3, "Sổ mật"))
    return do_mat, so


def outgoing_rows(seed: int, n: int, numbered: bool | None = None, blank: int = 0
                  ) -> list[list[Any]]:
    """A register with every slip the checks know, and blank, partial and odd rows;
    `blank` empty rows under the header, then (`numbered`) the form's column numbers."""
    rng = random.Random(seed)
    rows: list[list[Any]] = [OUT_HEAD, *([None] * len(OUT_HEAD) for _ in range(blank))]
    if rng.random() < 0.5 if numbered is None else numbered:
        rows.append([f"({i})" for i in range(1, len(OUT_HEAD) + 1)])
    number, day = 0, D(2021, 1, 4)
    for i in range(n):
        kind = _pick(rng, (90, "doc"), (3, "blank"), (3, "other-only"), (2, "spaces"),
                     (2, "numbers"), (2, "empty strings"))
        if kind == "blank":
            rows.append([None] * len(OUT_HEAD))
            continue
        if kind == "empty strings":  # `<c r="E9" t="inlineStr"></c>`: not a document
            rows.append([None, "", None, "", "", "", None, "", ""])
            continue
        if kind == "other-only":
            rows.append([i, None, None, None, "An", None, None, None, "Khẩn"])
            continue
        if kind == "spaces":
            rows.append([None, " ", "  ", None, " ", None, None, None, None])
            continue
        if kind == "numbers":
            rows.append([None, "(2)", 3, None, None, None, None, None, None])
            continue
        number += _pick(rng, (88, 1), (5, 0), (5, 2), (2, 5))  # repeats and gaps
        if rng.random() < 0.03:
            number = max(1, number - rng.randrange(1, 10))  # an old number again
        day += dt.timedelta(days=_pick(rng, (70, 0), (25, 1), (5, -3)))
        do_mat, so = _secrecy(rng)
        rows.append([i, _code(rng, number), _date(rng, day), rng.choice(SUMMARIES),
                     rng.choice(["An", None, ""]), rng.choice(["Các phòng", None]), do_mat, so,
                     rng.choice([None, "Khẩn"])])
    return rows


def incoming_rows(seed: int, n: int) -> list[list[Any]]:
    rng = random.Random(seed)
    rows: list[list[Any]] = [IN_HEAD]
    number, day = 0, D(2021, 1, 4)
    authors = ["Bộ Nội vụ", "UBND huyện", "Sở Tài chính", "", None]
    for i in range(n):
        if rng.random() < 0.04:
            rows.append([None] * len(IN_HEAD))
            continue
        number += _pick(rng, (88, 1), (5, 0), (5, 2), (2, 4))
        day += dt.timedelta(days=_pick(rng, (70, 0), (25, 1), (5, -2)))
        so_den = _pick(rng, (85, number), (3, str(number)), (2, float(number)), (2, 2.5),
                       (2, 0), (1, -1), (2, "abc"), (2, None), (1, "=1+1"), (1, f" {number} "))
        issued = day - dt.timedelta(days=_pick(rng, (80, 2), (10, 0), (10, -1)))
        do_mat, so = _secrecy(rng)
        code = _code(rng, rng.randrange(1, 60))
        rows.append([i, _date(rng, day), so_den, rng.choice(authors), code,
                     _pick(rng, (85, issued), (10, None), (5, issued.strftime("%d/%m/%Y"))),
                     rng.choice(SUMMARIES), rng.choice(["Văn phòng", None]), do_mat, so])
    return rows


def write(path: Path, sheets: dict[str, list[list[Any]]], titles: int = 0,
          hidden: tuple[int, ...] = ()) -> Path:
    """The sheets through openpyxl; `titles` merged title rows above each table."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for t in range(titles):
            ws.append([f"TIÊU ĐỀ {t + 1}"])
            ws.merge_cells(start_row=t + 1, start_column=1, end_row=t + 1, end_column=5)
        for row in rows:
            ws.append(row)
        for r in hidden:
            ws.row_dimensions[r].hidden = True
    wb.save(path)
    # openpyxl writes a formula's missing result as `<v></v>`, which the reader does not
    # take (a crash of its own, not compared here); other writers leave `<v>` out.
    return _rewrite_sheets(path, lambda xml: xml.replace("<v></v>", ""))


def _rewrite_sheets(path: Path, change: Callable[[str], str],
                    extra: dict[str, bytes] | None = None) -> Path:
    out = path.with_name(f"{path.stem}x.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = change(data.decode("utf-8")).encode("utf-8")
            if extra and item.filename in extra:
                data = extra.pop(item.filename)
            dst.writestr(item, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out


def shared_strings(path: Path) -> Path:
    """Excel's way: strings in sharedStrings.xml, no `t="n"` on numbers, styles on
    numbers that are no dates, empty cells `<c r="E9" s="0"/>`."""
    strings: dict[str, int] = {}  # each text once, as Excel writes them

    def cell(m: re.Match[str]) -> str:
        index = strings.setdefault(m.group(3), len(strings))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{index}</v></c>'

    def change(xml: str) -> str:
        xml = re.sub(r'<c r="(\w+)"([^>]*?) t="inlineStr"><is>(.*?)</is></c>', cell, xml)
        xml = re.sub(r'<c r="(\w+)" t="inlineStr"></c>', r'<c r="\1" s="0"/>', xml)  # bordered
        xml = xml.replace(' t="n"', "")
        return re.sub(r'<c r="(\w+)"><v>', r'<c r="\1" s="0"><v>', xml)  # styled numbers

    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    out = _rewrite_sheets(path, change)  # fills `strings`
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "".join(f"<si>{s}</si>" for s in strings) + "</sst>")
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                          '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                          'sharedStrings+xml"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdS" Type="http://schemas.'
                        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                        'Target="sharedStrings.xml"/></Relationships>')
    return _rewrite_sheets(out, lambda x: x, {
        "[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
        "xl/sharedStrings.xml": sst.encode()})


def prefixed(path: Path) -> Path:
    """Every element with a namespace prefix (`<x:c r="B5">`), as some generators write."""
    def change(xml: str) -> str:
        xml = xml.replace("<worksheet xmlns=", "<worksheet xmlns:x=", 1)
        return re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", xml)

    return _rewrite_sheets(path, change)


def rows_swapped(path: Path) -> Path:
    """Two data rows out of order: a sheet Excel would repair."""
    def change(xml: str) -> str:
        rows = re.findall(r'<row r="\d+".*?</row>', xml)
        if len(rows) < 40:
            return xml
        a, b = rows[30], rows[35]
        return xml.replace(a, "\0").replace(b, a).replace("\0", b)

    return _rewrite_sheets(path, change)


def assert_same(path: Path, external: bool) -> None:
    tables, issues = read_registers(path, external=external)
    old_tables, old_issues = reference.read(path, external)
    assert issues == old_issues
    assert [t.row_numbers for t in tables] == [[r for r, _ in t.rows] for t in old_tables]
    got, want = check_registers(tables, INFO), reference.check(old_tables, INFO)
    assert [(i.code, i.cell, i.message) for i in got.issues] == \
        [(i.code, i.cell, i.message) for i in want.issues]
    assert got.summaries == want.summaries
    assert got.documents == want.documents


WAYS = {"openpyxl": lambda p: p, "shared strings": shared_strings, "prefixed": prefixed,
        "rows out of order": rows_swapped}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unit_registers_read_and_checked_as_before(tmp_path: Path, seed: int, way: str) -> None:
    path = write(tmp_path / "u.xlsx", {"Sổ văn bản đi": outgoing_rows(seed, 160),
                                       "Sổ văn bản đến": incoming_rows(seed, 160)},
                 hidden=(7, 40))
    assert_same(WAYS[way](path), external=False)


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("seed", [4, 5])
def test_exports_read_and_checked_as_before(tmp_path: Path, seed: int, way: str) -> None:
    """`--so-van-ban`: any sheet names, merged title rows, the header lower down."""
    path = write(tmp_path / "e.xlsx", {"Danh sách đến": incoming_rows(seed, 150),
                                       "Danh sách đi": outgoing_rows(seed, 150)},
                 titles=seed - 2, hidden=(12,))
    assert_same(WAYS[way](path), external=True)



@pytest.mark.parametrize(("titles", "blank", "signer"), [
    (19, 0, "(5)"), (15, 4, "(5)"), (17, 6, "An"), (19, 0, "An"), (19, 0, 5), (19, 0, None)])
def test_column_numbers_found_below_the_header_search(tmp_path: Path, titles: int,
                                                      blank: int, signer: Any) -> None:
    """The form's `(1) (2) …` row at or past row 20, where the column-wise reading starts;
    with a name under `Người ký` it is a row like any other. None: no such row."""
    rows = outgoing_rows(7, 60, numbered=signer is not None, blank=blank)
    if signer is not None:
        rows[blank + 1][4] = signer
    path = write(tmp_path / "e.xlsx", {"Danh sách": rows}, titles=titles)
    for way in ("openpyxl", "shared strings"):
        assert_same(WAYS[way](path), external=True)


def test_issues_past_the_cap_counted_as_before(tmp_path: Path) -> None:
    """Over 200 issues of a code: the rest in one E690/W690 line, per register."""
    rows = outgoing_rows(6, 900)
    for row in rows[300:600]:
        if isinstance(row[2], dt.datetime):
            row[2] = row[2].replace(year=2019)
    path = write(tmp_path / "u.xlsx", {"Sổ văn bản đi": rows})
    for way in ("openpyxl", "shared strings"):
        assert_same(WAYS[way](path), external=False)


@pytest.mark.parametrize("mac", [False, True])
def test_date_serials_as_workbook_date(tmp_path: Path, mac: bool) -> None:
    """The column-wise dates are `Workbook.date`'s, to the millisecond, in both date
    systems: whole days, times of day, fractions rounding into the next day, serials
    before 60 (the 1900 leap-year bug) and the first days of each system."""
    book = openpyxl.Workbook()
    if mac:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.save(tmp_path / "d.xlsx")
    wb = Workbook(tmp_path / "d.xlsx")
    rng = random.Random(8)
    serials = ["0", "0.5", "1", "59", "59.99", "60", "60.25", "61", "44200", "44200.5",
               "44200.99999999999", "44200.999999994", "44201.0000000001", "4.42E4",
               "2958465", "2958465.5", *(repr(rng.uniform(0, 80000)) for _ in range(3000)),
               *(str(44197 + i / 144) for i in range(3000))]
    date = _dates(wb)

    def outcome(convert: Callable[[str], Any], raw: str) -> Any:
        try:
            return convert(raw)
        except OverflowError:  # past 9999-12-31 (sooner in the 1904 system)
            return OverflowError

    for raw in serials + serials:  # twice: the second time from the cache
        assert outcome(date, raw) == outcome(lambda x: wb.date(float(x)), raw), raw
    wb.close()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
       f'<sst xmlns="{MAIN}" count="9" uniqueCount="9">{{}}</sst>')


@pytest.mark.parametrize(("sst", "plain"), [
    (SST.format('<si><t>Số 01/BC-UBND</t></si><si><t xml:space="preserve"> Về  việc </t></si>'
                "<si><t></t></si><si><t>A&amp;B &lt;C&gt; &quot;&apos; &#7873;&#13;&#x1F600;</t>"
                "</si>"), True),
    (SST.format(""), True),
    (SST.format('<si><t>a</t></si><si><r><rPr><b/></rPr><t>Báo</t></r><r><t xml:space='
                '"preserve"> cáo</t></r></si>'), False),
    (SST.format('<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/>'
                "</si>"), False),
    (SST.format("<si><t>dòng 1\r\ndòng 2\rba</t></si>"), False),
    (SST.format("<si><t/></si><si><t>b</t></si>"), False),
    (f'<x:sst xmlns:x="{MAIN}"><x:si><x:t>a</x:t></x:si></x:sst>', False),
    ('<?xml version="1.0" encoding="UTF-16"?>' + SST.split("?>", 1)[1].format(""), False),
])
def test_shared_strings_as_the_xml_parser_reads_them(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     sst: str, plain: bool) -> None:
    """Excel's plain shared strings are split out of the part; anything else is parsed as
    XML. Either way, the strings the XML parser gives."""
    blob = sst.encode("utf-16" if 'encoding="UTF-16"' in sst else "utf-8")
    assert (_plain_shared_strings(blob) is not None) == plain
    path = _rewrite_sheets(write(tmp_path / "s.xlsx", {"Sheet": [["a"]]}), lambda x: x,
                           {"xl/sharedStrings.xml": blob})
    fast = Workbook(path)
    got = fast.strings
    fast.close()
    monkeypatch.setattr(sheet_xml, "_plain_shared_strings", lambda blob: None)
    parsed = Workbook(path)
    assert got == parsed.strings
    parsed.close()
