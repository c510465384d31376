"""A small streaming SpreadsheetML writer for `tong-hop.xlsx`: values, a shared style table,
shared strings, column widths, a frozen header row, an autofilter and the print setup.

Hand-written because a measurement required it (docs/decisions.md, "tong-hop.xlsx"):
5,000 units make about 180,000 cells, and openpyxl spends about 12 µs on each in its cell
writer alone (three times that with a style per cell), where formatting the cell's XML
here costs well under a microsecond. It writes only what the summary needs: text, numbers
and booleans, never a formula (a text starting with `=` is a string like any other), and
no date. Each sheet's rows are compressed as they are formatted; the package (under a
megabyte for 5,000 units) is written out at the end.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape as _escape

from ..read.excel import get_column_letter
from ..vn import xml_safe

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument."
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Excel's built-in number formats; any other code gets an id from 164 on.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "0%": 9, "0.00%": 10}
_ROWS_PER_WRITE = 512  # rows formatted before they are handed to the zip stream
_MISSING = object()
_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # Excel reads `_x0041_` in a text as `A`


@dataclass(frozen=True)
class Style:
    """One cell format: the alignment, the number format, the header's bold and fill."""

    horizontal: str = ""  # "left" | "center" | "right" | "" (Excel's own)
    vertical: str = ""  # "top" | "center" | ""
    wrap: bool = False
    number_format: str = "General"
    header: bool = False  # bold on a light blue fill


HEADER = Style("center", "center", True, header=True)


@dataclass
class Column:
    """A column's width and the styles of its text, number and empty cells."""

    width: float
    text: Style
    number: Style
    empty: Style


@dataclass(frozen=True)
class PrintSetup:
    """A4, fitted to the page width, the header row on each page, the sheet's title above
    and the page number below; margins in inches."""

    landscape: bool
    header_text: str
    footer_text: str = "Trang &P/&N"
    left: float = 0.5
    right: float = 0.5
    top: float = 0.6
    bottom: float = 0.6


def _attr(text: str) -> str:
    return _escape(text, {'"': "&quot;"})


def _number(value: Any) -> str | None:
    """A number as the text of `<v>`, formatted as openpyxl formats it (`%.16g`: a Decimal
    `70.00` is `70` and reads back as the whole number it was); None for what is no
    finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return f"{number:.16g}"


class Workbook:
    """Sheets added one by one, written into the open zip at once; `close` adds the
    shared strings, the styles, the workbook and the package's own parts."""

    def __init__(self, fh: IO[bytes], title: str = "", creator: str = "",
                 level: int = 3) -> None:
        # The package is compressed in memory (under a megabyte for 5,000 units) and written
        # out whole by `close`: a full disk then fails one write, never a zip half closed.
        self.out = fh
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED,
                                   compresslevel=level)
        self.title, self.creator = title, creator
        self.strings: dict[str, int] = {}  # a cell's text as given -> shared string index
        self.texts: list[str] = []  # the shared strings, as written
        self.by_text: dict[str, int] = {}  # written text -> index (two inputs, one text)
        self.styles: dict[Style, int] = {Style(): 0}
        self.sheets: list[tuple[str, str, PrintSetup]] = []  # title, filter range, setup

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """The finished package written out; after an error, nothing."""
        if kind is None:
            self.close()
        else:
            self.zip.close()

    def style(self, style: Style) -> int:
        index = self.styles.get(style)
        if index is None:
            index = self.styles[style] = len(self.styles)
        return index

    def _string(self, value: str) -> int:
        text = xml_safe(value)
        index = self.by_text.get(text)
        if index is None:
            index = self.by_text[text] = len(self.texts)
            self.texts.append(text)
        self.strings[value] = index
        return index

    def add_sheet(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                  columns: Sequence[Column], setup: PrintSetup) -> None:
        """One sheet: the header row (frozen, filtered, repeated on each printed page),
        then `rows`; a text is always a string cell, a missing value or an empty text an
        empty cell that keeps its column's style."""
        n = len(self.sheets) + 1
        letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
        head = self.style(HEADER)
        cells = [(letter, self.style(c.text), self.style(c.number), self.style(c.empty))
                 for letter, c in zip(letters, columns, strict=True)]
        strings, string = self.strings, self._string
        numbers: dict[Any, str | None] = {}
        last = f"{letters[-1]}{len(rows) + 1}"
        with self.zip.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as out:
            out.write(self._sheet_start(last, columns, n == 1).encode())
            line = ['<row r="1">']
            for letter, text in zip(letters, headers, strict=True):
                line.append(f'<c r="{letter}1" s="{head}" t="s"><v>{string(text)}</v></c>')
            line.append("</row>")
            for r, values in enumerate(rows, 2):
                line.append(f'<row r="{r}">')
                for (letter, s_text, s_number, s_empty), value in zip(cells, values, strict=True):
                    if type(value) is str:
                        if not value:  # no text: an empty cell, as openpyxl wrote it
                            line.append(f'<c r="{letter}{r}" s="{s_text}"/>')
                            continue
                        index = strings.get(value)
                        if index is None:
                            index = string(value)
                        line.append(f'<c r="{letter}{r}" s="{s_text}" t="s"><v>{index}</v></c>')
                    elif value is None:
                        line.append(f'<c r="{letter}{r}" s="{s_empty}"/>')
                    elif type(value) is bool:
                        line.append(f'<c r="{letter}{r}" s="{s_number}" t="b">'
                                    f'<v>{int(value)}</v></c>')
                    else:  # scores repeat; equal numbers have one text (bools are apart)
                        v = numbers.get(value, _MISSING)
                        if v is _MISSING:
                            v = numbers[value] = _number(value)
                        if v is None:
                            line.append(f'<c r="{letter}{r}" s="{s_empty}"/>')
                        else:
                            line.append(f'<c r="{letter}{r}" s="{s_number}"><v>{v}</v></c>')
                line.append("</row>")
                if r % _ROWS_PER_WRITE == 0:
                    out.write("".join(line).encode())
                    line = []
            line.append(self._sheet_end(last, setup))
            out.write("".join(line).encode())
        self.sheets.append((title, last, setup))

    @staticmethod
    def _sheet_start(last: str, columns: Sequence[Column], first: bool) -> str:
        cols = "".join(f'<col min="{i}" max="{i}" width="{c.width:g}" customWidth="1"/>'
                       for i, c in enumerate(columns, 1))
        selected = ' tabSelected="1"' if first else ""
        return (f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
                f'<dimension ref="A1:{last}"/>'
                f'<sheetViews><sheetView{selected} workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                f"<cols>{cols}</cols><sheetData>")

    @staticmethod
    def _sheet_end(last: str, setup: PrintSetup) -> str:
        orientation = "landscape" if setup.landscape else "portrait"
        return ("</sheetData>"
                f'<autoFilter ref="A1:{last}"/>'
                '<printOptions horizontalCentered="1"/>'
                f'<pageMargins left="{setup.left:g}" right="{setup.right:g}" '
                f'top="{setup.top:g}" bottom="{setup.bottom:g}" header="0.3" footer="0.3"/>'
                f'<pageSetup paperSize="9" orientation="{orientation}" fitToWidth="1" '
                'fitToHeight="0"/>'
                f"<headerFooter><oddHeader>&amp;C{_escape(setup.header_text)}</oddHeader>"
                f"<oddFooter>&amp;C{_escape(setup.footer_text)}</oddFooter></headerFooter>"
                "</worksheet>")

    def close(self) -> None:
        """The parts that follow from the sheets, then the zip's directory."""
        z = self.zip
        items = []
        for text in self.texts:
            text = _escape(_ESCAPED.sub(r"_x005F_\1", text))
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() \
                else ""
            items.append(f"<si><t{space}>{text}</t></si>")
        z.writestr("xl/sharedStrings.xml",
                   f'{_HEAD}<sst xmlns="{_MAIN}" count="{len(self.texts)}" '
                   f'uniqueCount="{len(self.texts)}">{"".join(items)}</sst>')
        z.writestr("xl/styles.xml", self._styles_xml())
        z.writestr("xl/workbook.xml", self._workbook_xml())
        n = len(self.sheets)
        rels = [(f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, n + 1)]
        rels += [(f"rId{n + 1}", "styles", "styles.xml"),
                 (f"rId{n + 2}", "sharedStrings", "sharedStrings.xml"),
                 (f"rId{n + 3}", "theme", "theme/theme1.xml")]
        z.writestr("xl/theme/theme1.xml", _theme())
        z.writestr("xl/_rels/workbook.xml.rels", _relationships(
            (rid, f"{_REL}/{kind}", target) for rid, kind, target in rels))
        z.writestr("_rels/.rels", _relationships([
            ("rId1", f"{_REL}/officeDocument", "xl/workbook.xml"),
            ("rId2", f"{_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
            ("rId3", f"{_REL}/extended-properties", "docProps/app.xml")]))
        z.writestr("docProps/core.xml", self._core_xml())
        z.writestr("docProps/app.xml",
                   f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/extended-properties"><Application>baocao'
                   "</Application></Properties>")
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{_CT}spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
        z.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{_CT}spreadsheetml.sheet.main+xml"/>{sheets}'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}spreadsheetml.'
            'styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}spreadsheetml.sharedStrings+xml"/><Override '
            f'PartName="/xl/theme/theme1.xml" ContentType="{_CT}theme+xml"/><Override '
            'PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
            f'ContentType="{_CT}extended-properties+xml"/></Types>'))
        z.close()
        self.out.write(self.buffer.getbuffer())

    def _workbook_xml(self) -> str:
        sheets, names = [], []
        for i, (title, last, _) in enumerate(self.sheets):
            sheets.append(f'<sheet name="{_attr(title)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>')
            quoted = "'" + title.replace("'", "''") + "'"
            column = last.rstrip("0123456789")
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                         f'hidden="1">{_escape(quoted)}!$A$1:${column}${last[len(column):]}'
                         "</definedName>")
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                         f"{_escape(quoted)}!$1:$1</definedName>")
        return (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
                '<bookViews><workbookView activeTab="0"/></bookViews>'
                f'<sheets>{"".join(sheets)}</sheets>'
                f'<definedNames>{"".join(names)}</definedNames>'
                '<calcPr calcId="191029"/></workbook>')

    def _styles_xml(self) -> str:
        codes = {s.number_format for s in self.styles} - set(_BUILTIN_FORMATS)
        custom = {code: 164 + i for i, code in enumerate(sorted(codes))}
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(code)}"/>'
                          for code, i in custom.items())
        xfs = []
        for style in self.styles:  # in index order: dicts keep insertion order
            number = _BUILTIN_FORMATS.get(style.number_format) \
                if style.number_format in _BUILTIN_FORMATS else custom[style.number_format]
            font, fill = (1, 2) if style.header else (0, 0)
            attrs = (f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" '
                     'xfId="0"')
            if number:
                attrs += ' applyNumberFormat="1"'
            if style.header:
                attrs += ' applyFont="1" applyFill="1"'
            align = "".join((f' horizontal="{style.horizontal}"' if style.horizontal else "",
                             f' vertical="{style.vertical}"' if style.vertical else "",
                             ' wrapText="1"' if style.wrap else ""))
            if align:
                xfs.append(f'<xf {attrs} applyAlignment="1"><alignment{align}/></xf>')
            else:
                xfs.append(f"<xf {attrs}/>")
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        return (f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(custom)}">{formats}</numFmts>' if custom else "")
                + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                '<fills count="3"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill>'
                '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/>'
                '<bgColor indexed="64"/></patternFill></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                '</border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                'borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                '</cellStyles><dxfs count="0"/><tableStyles count="0"/></styleSheet>')

    def _core_xml(self) -> str:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
                'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
                'elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:title>{_escape(xml_safe(self.title))}</dc:title>"
                f"<dc:creator>{_escape(xml_safe(self.creator))}</dc:creator>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
                "</cp:coreProperties>")


def _theme() -> str:
    """The smallest theme the schema accepts (a workbook must have one, or the Open XML
    SDK's check says so): Office's colours, Times New Roman, plain fills and lines."""
    colours = [("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'),
               ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>')]
    colours += [(name, f'<a:srgbClr val="{rgb}"/>') for name, rgb in (
        ("dk2", "44546A"), ("lt2", "E7E6E6"), ("accent1", "4472C4"), ("accent2", "ED7D31"),
        ("accent3", "A5A5A5"), ("accent4", "FFC000"), ("accent5", "5B9BD5"),
        ("accent6", "70AD47"), ("hlink", "0563C1"), ("folHlink", "954F72"))]
    scheme = "".join(f"<a:{name}>{colour}</a:{name}>" for name, colour in colours)
    font = ('<a:latin typeface="Times New Roman"/><a:ea typeface=""/>'
            '<a:cs typeface=""/>')
    fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="9525">{fill}</a:ln>'
    return (f'{_HEAD}<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
            f'main" name="baocao"><a:themeElements><a:clrScheme name="Office">{scheme}'
            f'</a:clrScheme><a:fontScheme name="baocao"><a:majorFont>{font}</a:majorFont>'
            f"<a:minorFont>{font}</a:minorFont></a:fontScheme>"
            f'<a:fmtScheme name="Office"><a:fillStyleLst>{fill * 3}</a:fillStyleLst>'
            f"<a:lnStyleLst>{line * 3}</a:lnStyleLst><a:effectStyleLst>"
            f"{'<a:effectStyle><a:effectLst/></a:effectStyle>' * 3}</a:effectStyleLst>"
            f"<a:bgFillStyleLst>{fill * 3}</a:bgFillStyleLst></a:fmtScheme>"
            "</a:themeElements></a:theme>")



def _relationships(items: Iterable[tuple[str, str, str]]) -> str:
    rels = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                   for rid, kind, target in items)
    return f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
