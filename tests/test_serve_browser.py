"""The page of `baocao serve` in a real browser: Playwright for Python driving Debian's
Chromium (`apt-get install chromium`; Playwright's own browser download is never used),
against the real server started as `baocao serve`.

With BAOCAO_SCREENSHOT=1 the screenshot of the checked example is also written to
docs/images/serve-trang-kiem-tra.png, the one the README shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import zipfile
from pathlib import Path

import pytest
from docx import Document
from factory import unit_sheets, write_book
from test_serve import start_server

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "images" / \
    "serve-trang-kiem-tra.png"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def server():
    proc, port = start_server()
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True, locale="vi-VN",
                                  viewport={"width": 1000, "height": 540})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.goto(server + "/")
    yield p
    context.close()
    assert errors == []  # no script error on the page


@pytest.fixture
def over_max(tmp_path: Path) -> Path:
    sheets = unit_sheets()
    sheets["Chấm điểm"][2][3] = 12  # criterion 1: 12 of 10
    path = tmp_path / "qua-diem.xlsx"
    write_book(path, sheets)
    return path


def test_a_score_over_its_maximum_is_shown_with_its_cell(page, over_max):
    page.set_input_files("#tep", str(over_max))
    page.click("#kiem-tra")
    result = page.locator("#ket-qua")
    sync_api.expect(result).to_contain_text("Chấm điểm!D3")
    sync_api.expect(result).to_contain_text("KHÔNG HỢP LỆ")
    sync_api.expect(result.locator(".nhom-loi h4")).to_have_text(["Trang tính “Chấm điểm”:"])
    assert "[E306]" in result.locator(".nhom-loi li").inner_text()
    assert result.locator("#tai-docx").count() == 0  # no report for a workbook with errors


def test_errors_come_before_warnings_each_grouped_by_sheet(page, tmp_path):
    """The warning's sheet (Thông tin) is read before the error's (Chấm điểm): the page
    still lists the error first, as `validate` does."""
    sheets = unit_sheets()
    sheets["Thông tin"].append(["ma_la", "giá trị", ""])  # W101, an unknown key
    sheets["Chấm điểm"][2][3] = 12  # E306
    path = tmp_path / "loi-va-canh-bao.xlsx"
    write_book(path, sheets)
    page.set_input_files("#tep", str(path))
    page.click("#kiem-tra")
    result = page.locator("#ket-qua")
    sync_api.expect(result).to_contain_text("1 lỗi, 1 cảnh báo")
    sync_api.expect(result.locator(".nhom h3")).to_have_text(["Lỗi (1)", "Cảnh báo (1)"])
    sync_api.expect(result.locator(".nhom h4")).to_have_text(
        ["Trang tính “Chấm điểm”:", "Trang tính “Thông tin”:"])
    sync_api.expect(result.locator(".nhom-canh-bao li")).to_contain_text(["[W101] Thông tin!A"])


def test_the_example_shows_its_score_and_its_report_downloads(page, example, tmp_path):
    page.set_input_files("#tep", str(example))
    page.click("#kiem-tra")
    result = page.locator("#ket-qua")
    sync_api.expect(result.locator(".tong-diem")).to_have_text("89")
    sync_api.expect(result.locator(".xep-loai")).to_have_text("Tốt")
    sync_api.expect(result).to_contain_text("hợp lệ")
    page.screenshot(path=str(tmp_path / "trang.png"), full_page=True)
    if os.environ.get("BAOCAO_SCREENSHOT") == "1":
        shutil.copyfile(tmp_path / "trang.png", SCREENSHOT)
    assert (tmp_path / "trang.png").read_bytes().startswith(b"\x89PNG")

    with page.expect_download() as info:
        page.click("#tai-docx")
    download = info.value
    assert download.suggested_filename == "so-ldtbxh-ha-tinh-2021.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "Tốt" in text


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, tmp_path):
    big = tmp_path / "lon.xlsx"
    big.write_bytes(b"\0" * (21 * 1024 * 1024))
    page.set_input_files("#tep", str(big))
    page.click("#kiem-tra")
    sync_api.expect(page.locator("#ket-qua")).to_contain_text(
        "Tệp lon.xlsx lớn hơn giới hạn 20 MB một tệp.")


def test_a_batch_lists_the_failed_units_and_gives_the_zip(page, example, over_max,
                                                          tmp_path):
    page.set_input_files("#cac-tep", [str(example), str(over_max)])
    page.click("#tong-hop")
    box = page.locator("#ket-qua-nhieu")
    sync_api.expect(box).to_contain_text("Đã lập 1/2 báo cáo.")
    sync_api.expect(box.locator(".nhom-loi li")).to_contain_text(["qua-diem.xlsx: "])
    assert "Chấm điểm!D3" in box.locator(".nhom-loi li").inner_text()
    with page.expect_download() as info:
        page.click("#tai-zip")
    saved = tmp_path / "ket-qua.zip"
    info.value.save_as(saved)
    assert set(zipfile.ZipFile(saved).namelist()) == {
        "so-ldtbxh-ha-tinh-2021.docx", "tong-hop.xlsx", "tong-hop.docx"}


def test_with_a_token_the_page_opened_with_it_can_use_the_api(browser, example):
    proc, port = start_server("--token", "ma-so-noi-vu")
    try:
        context = browser.new_context()
        page = context.new_page()
        assert page.goto(f"http://127.0.0.1:{port}/").status == 401
        page.goto(f"http://127.0.0.1:{port}/?token=ma-so-noi-vu")
        page.set_input_files("#tep", str(example))
        page.click("#kiem-tra")
        sync_api.expect(page.locator("#ket-qua .tong-diem")).to_have_text("89")
        with page.expect_download() as info:
            page.click("#tai-docx")
        assert info.value.suggested_filename == "so-ldtbxh-ha-tinh-2021.docx"
        context.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
