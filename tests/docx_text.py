"""Reading a generated .docx back as a reader would: text in reading order."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn


def _para_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def reading_order(path: Path) -> list[str]:
    """Body paragraphs and table cells (row by row, left to right), one line each."""
    doc = Document(str(path))
    lines: list[str] = []

    def walk(container) -> None:
        for el in container.iterchildren():
            if el.tag == qn("w:p"):
                lines.append(_para_text(el))
            elif el.tag == qn("w:tbl"):
                for tr in el.iterchildren(qn("w:tr")):
                    for tc in tr.iterchildren(qn("w:tc")):
                        walk(tc)

    walk(doc.element.body)
    return [line for line in lines if line.strip()]
