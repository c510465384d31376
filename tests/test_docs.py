"""The documentation is the repository's own: every link resolves inside it, pictures exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text, f"{page.name} points outside the repository"
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path = (page.parent / target).resolve()
        assert path.is_relative_to(ROOT), (page.name, target)
        assert path.exists(), (page.name, target)


def test_the_contract_pages_are_in_docs_and_the_readme_links_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("workbook.md", "scoring.md", "report.md", "huong-dan-van-thu.md"):
        assert (ROOT / "docs" / name).is_file()
        assert f"(docs/{name})" in readme


def test_the_clerks_guide_shows_the_starter_and_the_report() -> None:
    guide = (ROOT / "docs" / "huong-dan-van-thu.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\((images/[^)]+\.png)\)", guide)
    assert any("khoi-dau" in p for p in pictures) and any("bao-cao" in p for p in pictures)
    script = (ROOT / "scripts" / "make_pictures.py").read_text(encoding="utf-8")
    for picture in pictures:
        data = (ROOT / "docs" / picture).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert Path(picture).name in script, f"{picture} is not made by make_pictures.py"
