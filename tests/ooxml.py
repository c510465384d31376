"""What an OOXML check finds in a Word document: schema violations (the Open XML SDK's
rules) and the findings that make Word "repair" or rewrite a file, as openxml-audit
reports them. The tests require none for every document the shipped templates give."""

from __future__ import annotations

from pathlib import Path


def word_findings(path: Path) -> list[str]:
    """Every finding, one line each (part, path, description); empty when Word is expected
    to open the file cleanly."""
    from openxml_audit import OpenXmlValidator, predict

    result = OpenXmlValidator(max_errors=0).validate(str(path))
    lines = [f"{getattr(e, 'part_uri', '')} {getattr(e, 'path', '')}: {e.description}"
             for e in result.errors]
    verdict = predict(result)
    if verdict.prediction.value != "opens-clean" and not lines:
        lines.append(verdict.headline)
    return lines
