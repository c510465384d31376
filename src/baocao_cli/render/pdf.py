"""Word → PDF with LibreOffice headless, one private profile per call.

LibreOffice refuses to run twice on one user profile, so each conversion gets a fresh
profile directory (`-env:UserInstallation`) and a fresh output directory: parallel
conversions (the batch command) never collide. The PDF is written beside nowhere until it
is complete: LibreOffice writes into the temporary directory and the file is moved into
place with `os.replace`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BaocaoError

INSTALL_HINT = ("Cài LibreOffice để xuất PDF, ví dụ trên Debian/Ubuntu: "
                "`sudo apt-get install libreoffice-writer-nogui` (hoặc tải từ "
                "https://www.libreoffice.org), rồi chạy lại lệnh.")
PROGRAMS = ("soffice", "libreoffice")


class PdfError(BaocaoError):
    """The PDF could not be made; the message is for the user, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice program on PATH, or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: Path, pdf: Path, timeout: float = 120) -> None:
    """Convert `docx` to `pdf` (written atomically); PdfError says why it could not."""
    docx, pdf = Path(docx), Path(pdf)
    program = find_soffice()
    if program is None:
        raise PdfError(f"không tìm thấy LibreOffice (lệnh soffice) để chuyển {docx.name} "
                       f"sang PDF. {INSTALL_HINT}")
    if not docx.is_file():
        raise PdfError(f"không có tệp {docx} để chuyển sang PDF.")
    with tempfile.TemporaryDirectory(prefix="baocao-pdf-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        outdir = work / "out"
        outdir.mkdir()
        # A copy with a plain name: the output name follows the input's stem.
        source = work / "in" / "bao-cao.docx"
        source.parent.mkdir()
        shutil.copyfile(docx, source)
        cmd = [program, "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(outdir), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL, text=True, errors="replace")
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice không chuyển xong {docx.name} sang PDF trong "
                           f"{timeout:g} giây; đã dừng. Thử lại, hoặc đóng các cửa sổ "
                           "LibreOffice đang mở.") from None
        except OSError as exc:
            raise PdfError(f"không chạy được LibreOffice ({program}): {exc.strerror or exc}. "
                           f"{INSTALL_HINT}") from None
        made = outdir / "bao-cao.pdf"
        if proc.returncode != 0 or not made.is_file() or made.stat().st_size == 0:
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()
            tail = f" LibreOffice báo: {detail[-1]}" if detail else ""
            raise PdfError(f"LibreOffice không tạo được PDF từ {docx} (mã thoát "
                           f"{proc.returncode}).{tail}")
        # Same filesystem as the target for an atomic rename.
        try:
            fd, staged = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".tmp",
                                          dir=pdf.parent)
            os.close(fd)
        except OSError as exc:
            raise PdfError(f"không ghi được {pdf}: {exc.strerror or exc}.") from None
        try:
            shutil.copyfile(made, staged)
            os.replace(staged, pdf)
        except OSError as exc:
            Path(staged).unlink(missing_ok=True)
            raise PdfError(f"không ghi được {pdf}: {exc.strerror or exc}.") from None
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise
