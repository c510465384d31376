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


# ---------------------------------------------------------------- formatting as printed

_SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def _style_chain(styles, style_id: str | None, kind: str) -> list:
    """The style `style_id` (or the default style of `kind`) and those it is based on."""
    by_id = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}
    if style_id is None:
        style_id = next((sid for sid, s in by_id.items() if s.get(qn("w:type")) == kind
                         and s.get(qn("w:default")) in ("1", "true")), None)
    chain = []
    while style_id is not None and style_id in by_id and len(chain) < 20:
        style = by_id[style_id]
        chain.append(style)
        based = style.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None
    return chain


def _val(el, name: str):
    return el.get(qn(f"w:{name}")) if el is not None else None


def _defaults(styles, kind: str):
    return styles.find(f"{qn('w:docDefaults')}/{qn(f'w:{kind}Default')}/{qn(f'w:{kind}')}")


def effective_run(doc, p, r) -> dict:
    """What a run prints with, as Word resolves it: the run's own properties, its
    character style, its paragraph's style and the styles that one is based on, then the
    document's defaults. Fonts per script slot, size in points, bold, italic."""
    styles = doc.styles.element
    ppr = p.find(qn("w:pPr"))
    rpr = r.find(qn("w:rPr"))
    chain = [rpr]
    rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
    if rstyle is not None:
        chain += [s.find(qn("w:rPr")) for s in _style_chain(styles, _val(rstyle, "val"),
                                                             "character")]
    pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
    chain += [s.find(qn("w:rPr")) for s in _style_chain(
        styles, _val(pstyle, "val") if pstyle is not None else None, "paragraph")]
    chain.append(_defaults(styles, "rPr"))
    chain = [c for c in chain if c is not None]

    def first(tag: str, attr: str):
        for c in chain:
            el = c.find(qn(f"w:{tag}"))
            if el is not None and _val(el, attr) is not None:
                return _val(el, attr)
        return None

    def toggle(tag: str) -> bool:
        for c in chain:
            el = c.find(qn(f"w:{tag}"))
            if el is not None:
                return _val(el, "val") not in ("0", "false", "off")
        return False

    size = first("sz", "val")
    return {"fonts": {slot: first("rFonts", slot) for slot in _SLOTS},
            "size": int(size) / 2 if size is not None else None,
            "bold": toggle("b"), "italic": toggle("i")}


def effective_paragraph(doc, p) -> dict:
    """A paragraph's alignment, first-line indent (cm), space before and after (pt) and
    line spacing (lines), from its own properties, its style chain and the defaults."""
    styles = doc.styles.element
    ppr = p.find(qn("w:pPr"))
    pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
    chain = [ppr, *(s.find(qn("w:pPr")) for s in _style_chain(
        styles, _val(pstyle, "val") if pstyle is not None else None, "paragraph")),
        _defaults(styles, "pPr")]
    chain = [c for c in chain if c is not None]

    def first(tag: str, attr: str, default: str) -> str:
        for c in chain:
            el = c.find(qn(f"w:{tag}"))
            if el is not None and _val(el, attr) is not None:
                return _val(el, attr)
        return default

    return {"alignment": first("jc", "val", "left"),
            "first_line_cm": round(int(first("ind", "firstLine", "0")) / 1440 * 2.54, 2),
            "before_pt": int(first("spacing", "before", "0")) / 20,
            "after_pt": int(first("spacing", "after", "0")) / 20,
            "line": int(first("spacing", "line", "240")) / 240}


def text_runs(doc, root=None):
    """(paragraph, run) of every run with text under `root` (the body by default)."""
    root = doc.element.body if root is None else root
    for p in root.iter(qn("w:p")):
        for r in p.iter(qn("w:r")):
            if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip():
                yield p, r
