"""The one page, in Vietnamese: two forms, and a little plain JavaScript that posts them to
the API and shows the answer. No build step, no library, no inline script (the page's
Content-Security-Policy allows scripts from this server only)."""

from __future__ import annotations

from html import escape

from .. import __version__

ACCEPT = ".xlsx,.xlsm,.ods,.xls,.xlsb"

PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiểm tra sổ Excel và lập báo cáo văn thư, lưu trữ</title>
<link rel="stylesheet" href="/trang.css">
<script src="/trang.js" defer></script>
</head>
<body data-max="{max_bytes}" data-max-text="{max_text}" data-pdf="{pdf}">
<main>
<h1>Báo cáo công tác văn thư, lưu trữ</h1>
<p class="lead">Chọn sổ Excel của đơn vị rồi bấm <b>Kiểm tra</b>: trang này chỉ ra từng lỗi
ở trang tính và ô nào, tổng điểm và xếp loại; sổ không có lỗi thì tải được báo cáo Word.</p>

<section>
<h2>Một đơn vị</h2>
<form id="mot" novalidate>
<label for="tep">Sổ tính (.xlsx, .xls, .ods):</label>
<input type="file" id="tep" name="file" accept="{accept}" required>
<button type="submit" id="kiem-tra">Kiểm tra</button>
</form>
<div id="ket-qua" aria-live="polite"></div>
</section>

<section>
<h2>Nhiều đơn vị (tổng hợp)</h2>
<form id="nhieu" novalidate>
<label for="cac-tep">Các sổ Excel, hoặc một tệp .zip:</label>
<input type="file" id="cac-tep" name="files" accept="{accept},.zip" multiple required>
{pdf_choice}
<button type="submit" id="tong-hop">Lập báo cáo hàng loạt</button>
</form>
<div id="ket-qua-nhieu" aria-live="polite"></div>
</section>
<p class="chan">baocao {version} · mỗi tệp tối đa {max_text} · tệp gửi lên chỉ dùng cho lần
kiểm tra này và được xóa ngay sau đó.</p>
</main>
</body>
</html>
"""

CSS = """
body { font-family: "Segoe UI", "Liberation Sans", Arial, sans-serif; margin: 0;
  background: #f4f6f8; color: #1b1f23; }
main { max-width: 860px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem;
  margin: 1rem 0; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
button { font-size: 1rem; padding: .4rem 1rem; cursor: pointer; }
.lead, .chan { color: #444; } .chan { font-size: .85rem; }
.trang-thai { font-weight: bold; margin: .75rem 0 .25rem; }
.hop-le { color: #116329; } .khong-hop-le, .loi-he-thong { color: #a40e26; }
.nhom { margin: .5rem 0 0; } .nhom h3 { font-size: 1rem; margin: .5rem 0 .25rem; }
.nhom-loi h3 { color: #a40e26; } .nhom-canh-bao h3 { color: #7d4e00; }
ul { margin: .25rem 0; padding-left: 1.25rem; } li { margin: .15rem 0; }
.ma { font-family: monospace; color: #57606a; }
.diem { font-size: 1.1rem; margin: .5rem 0; }
.tai a { display: inline-block; margin: .25rem .75rem .25rem 0; }
"""

JS = r"""
"use strict";
(function () {
  var body = document.body;
  var maxBytes = Number(body.dataset.max);
  var token = new URLSearchParams(location.search).get("token");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function headers() {
    return token ? {"Authorization": "Bearer " + token} : {};
  }
  function tooBig(files) {
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > maxBytes) {
        return "Tệp " + files[i].name + " lớn hơn giới hạn " + body.dataset.maxText +
          " một tệp. Một sổ Excel báo cáo không cần dung lượng như vậy: kiểm tra lại tệp.";
      }
    }
    return null;
  }
  function post(url, form) {
    return fetch(url, {method: "POST", body: form, headers: headers()});
  }
  function problem(box, text) {
    box.replaceChildren(el("p", "trang-thai loi-he-thong", text));
  }
  async function errorText(resp) {
    try { return (await resp.json()).error; } catch (e) { return "Lỗi " + resp.status + "."; }
  }
  function download(blob, name) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function filename(resp, fallback) {
    var cd = resp.headers.get("Content-Disposition") || "";
    var m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (m) return decodeURIComponent(m[1]);
    m = /filename="([^"]+)"/i.exec(cd);
    return m ? m[1] : fallback;
  }

  // Errors before warnings, each grouped by sheet in the order the sheets first appear.
  function groups(box, title, cls, issues) {
    if (!issues.length) return;
    var wrap = el("div", "nhom " + cls);
    wrap.appendChild(el("h3", null, title + " (" + issues.length + ")"));
    var order = [], bySheet = {};
    issues.forEach(function (i) {
      var fileLevel = i.code.charAt(1) === "0" || !i.sheet;
      var key = fileLevel ? "Tệp" : "Trang tính \u201c" + i.sheet + "\u201d";
      if (!(key in bySheet)) { bySheet[key] = []; order.push(key); }
      bySheet[key].push(i);
    });
    order.forEach(function (key) {
      wrap.appendChild(el("h4", null, key + ":"));
      var ul = el("ul");
      bySheet[key].forEach(function (i) {
        var li = el("li");
        li.appendChild(el("span", "ma", "[" + i.code + "] "));
        li.appendChild(document.createTextNode(i.message));
        ul.appendChild(li);
      });
      wrap.appendChild(ul);
    });
    box.appendChild(wrap);
  }

  function reportLink(box, file, pdf) {
    var a = el("a", null, pdf ? "Tải báo cáo PDF (.pdf)" : "Tải báo cáo Word (.docx)");
    a.href = "#";
    a.id = pdf ? "tai-pdf" : "tai-docx";
    a.addEventListener("click", async function (ev) {
      ev.preventDefault();
      var form = new FormData();
      form.append("file", file);
      if (pdf) form.append("pdf", "1");
      a.textContent = "Đang lập báo cáo…";
      var resp = await post("/api/build", form);
      a.textContent = pdf ? "Tải báo cáo PDF (.pdf)" : "Tải báo cáo Word (.docx)";
      if (!resp.ok) { box.appendChild(el("p", "loi-he-thong", await errorText(resp))); return; }
      var stem = file.name.replace(/\.[^.]*$/, "");
      download(await resp.blob(), filename(resp, stem + (pdf ? ".pdf" : ".docx")));
    });
    return a;
  }

  document.getElementById("mot").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var box = document.getElementById("ket-qua");
    var file = document.getElementById("tep").files[0];
    if (!file) { problem(box, "Hãy chọn một sổ Excel trước khi bấm Kiểm tra."); return; }
    var big = tooBig([file]);
    if (big) { problem(box, big); return; }
    box.replaceChildren(el("p", null, "Đang kiểm tra " + file.name + "…"));
    var form = new FormData();
    form.append("file", file);
    var resp;
    try { resp = await post("/api/validate", form); }
    catch (e) { problem(box, "Không gửi được tệp tới máy chủ."); return; }
    if (!resp.ok) { problem(box, await errorText(resp)); return; }
    var doc = await resp.json();
    var f = doc.files[0];
    box.replaceChildren();
    box.appendChild(el("p", "trang-thai " + (f.valid ? "hop-le" : "khong-hop-le"),
      file.name + ": " + (f.valid ? "hợp lệ" : "KHÔNG HỢP LỆ") + " — " +
      f.errors.length + " lỗi, " + f.warnings.length + " cảnh báo."));
    (f.so_van_ban || []).forEach(function (r) { box.appendChild(el("p", null, r.summary)); });
    groups(box, "Lỗi", "nhom-loi", f.errors);
    groups(box, "Cảnh báo", "nhom-canh-bao", f.warnings);
    if (f.valid) {
      var score = el("p", "diem");
      score.append("Tổng điểm: ");
      score.appendChild(el("b", "tong-diem", f.total));
      score.append(" — Xếp loại: ");
      score.appendChild(el("b", "xep-loai", f.rating));
      box.appendChild(score);
      var links = el("p", "tai");
      links.appendChild(reportLink(box, file, false));
      if (body.dataset.pdf === "1") links.appendChild(reportLink(box, file, true));
      box.appendChild(links);
    } else {
      box.appendChild(el("p", null,
        "Sửa các lỗi trên trong sổ Excel, lưu lại rồi kiểm tra lần nữa."));
    }
  });

  document.getElementById("nhieu").addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var box = document.getElementById("ket-qua-nhieu");
    var files = document.getElementById("cac-tep").files;
    if (!files.length) { problem(box, "Hãy chọn các sổ Excel hoặc một tệp .zip."); return; }
    var big = tooBig(files);
    if (big) { problem(box, big); return; }
    box.replaceChildren(el("p", null, "Đang lập báo cáo cho " + files.length + " tệp…"));
    var form = new FormData();
    for (var i = 0; i < files.length; i++) form.append("files", files[i]);
    var withPdf = document.getElementById("kem-pdf");
    if (withPdf && withPdf.checked) form.append("pdf", "1");
    var resp;
    try { resp = await post("/api/batch", form); }
    catch (e) { problem(box, "Không gửi được tệp tới máy chủ."); return; }
    if (!resp.ok) { problem(box, await errorText(resp)); return; }
    var sum = JSON.parse(decodeURIComponent(resp.headers.get("X-Baocao-Ket-Qua") || "{}"));
    var blob = await resp.blob();
    box.replaceChildren();
    var bad = sum.failed && (sum.failed.length || sum.more_failed);
    box.appendChild(el("p", "trang-thai " + (bad ? "khong-hop-le" : "hop-le"),
      "Đã lập " + sum.built + "/" + sum.units + " báo cáo."));
    var a = el("a", null, "Tải kết quả (ket-qua.zip: các báo cáo, tong-hop.xlsx, tong-hop.docx)");
    a.id = "tai-zip";
    a.href = URL.createObjectURL(blob);
    a.download = "ket-qua.zip";
    box.appendChild(el("p", "tai")).appendChild(a);
    if (bad) {
      var wrap = el("div", "nhom nhom-loi");
      wrap.appendChild(el("h3", null, "Đơn vị chưa lập được báo cáo (" + sum.failed.length + ")"));
      var ul = el("ul");
      sum.failed.forEach(function (u) {
        var li = el("li");
        li.appendChild(el("b", null, u.file + ": "));
        var more = u.n_errors - u.errors.length;
        li.appendChild(document.createTextNode(u.errors.join(" ") +
          (more > 0 ? " (và " + more + " lỗi khác)" : "")));
        ul.appendChild(li);
      });
      wrap.appendChild(ul);
      if (sum.more_failed) {
        wrap.appendChild(el("p", null, "Và " + sum.more_failed + " đơn vị khác: xem " +
          "tong-hop.xlsx trong tệp kết quả."));
      }
      box.appendChild(wrap);
    }
  });
})();
"""


def page(max_bytes: int, max_text: str, pdf: bool) -> str:
    choice = ('<label><input type="checkbox" id="kem-pdf" name="pdf" value="1"> kèm bản PDF'
              "</label>") if pdf else ""
    return PAGE.format(max_bytes=max_bytes, max_text=escape(max_text), pdf="1" if pdf else "0",
                       accept=ACCEPT, version=escape(__version__), pdf_choice=choice)
