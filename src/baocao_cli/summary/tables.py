"""The batch summary's tables, in pandas: the joins of the units' results with the roster,
last year's summary and the review; ranks with ties; counts per rating and per `Cấp`;
the changes since last year.

Only `batch` imports this module (through its summary step), never `build` or
`validate`: pandas costs a few tenths of a second to import. Scores stay `Decimal` in
object columns: sums, differences and the ranking compare them exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from typing import Any

import pandas as pd

from ..issues import make
from ..score.rules import Rules
from ..vn import fold, format_number, format_score, round_half_up, xml_safe
from .results import UnitResult, shown_sources
from .sources import GENERIC_KY_HIEU, Entry, Sources, name_key

STATUS_OK = "Đã lập báo cáo"
STATUS_FAILED = "Lỗi, chưa lập báo cáo"
STATUS_DUPLICATE = "Trùng đơn vị, chưa xếp hạng"
ROSE, FELL, HELD, NEW = "Tăng", "Giảm", "Giữ nguyên", "Mới"
NO_CAP = "Chưa ghi cấp"
HUNDRED = Decimal(100)


@dataclass
class Tables:
    """Every table of tong-hop.xlsx and tong-hop.docx; None where its option was not used."""

    units: pd.DataFrame  # one row per workbook: ranked ones by rank, then the others
    ratings: pd.DataFrame  # name, count, share (percent) over the ranked units
    part_codes: list[str]
    missing: pd.DataFrame | None = None  # roster units without a workbook
    unmatched: pd.DataFrame | None = None  # workbooks that match no roster unit
    by_cap: pd.DataFrame | None = None  # per Cấp: units, submitted, ranked, per rating
    changes: pd.DataFrame | None = None  # ranked units beside last year
    gone: pd.DataFrame | None = None  # last year's units without a workbook this year
    adjusted: pd.DataFrame | None = None  # units whose reviewed score differs
    reviewed: bool = False
    roster_name: str = ""
    errors: list[str] = field(default_factory=list)  # located, for the exit code
    warnings: list[str] = field(default_factory=list)
    # `context`'s result per rules object: the screen's overview and tong-hop.docx both
    # read it, and for 5,000 units it takes a fifth of a second to make.
    contexts: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False,
                                                compare=False)

    @property
    def ranked(self) -> pd.DataFrame:
        return self.units[self.units["hang"].notna()]

    # The tables go to the two writers' processes: `changes` is the ranked rows of `units`
    # (`_join_last_year`), so it is rebuilt there rather than pickled a second time (a
    # third of the pickle for 5,000 units).
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["contexts"] = {}  # made again where needed
        if self.changes is not None:
            state["changes"] = _RANKED
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("changes"), str) and state["changes"] == _RANKED:
            units = state["units"]
            state["changes"] = units[units["hang"].notna()]
        self.__dict__.update(state)


_RANKED = "ranked rows of units"


def _units_frame(units: Sequence[UnitResult], codes: list[str]) -> pd.DataFrame:
    """One row per workbook, built column by column (a frame from 5,000 row dicts took
    three times as long)."""
    shown = shown_sources([u.source for u in units])
    columns: dict[str, list[Any]] = {
        "idx": [u.index for u in units],
        "tep": [shown[u.source] for u in units],
        "source": [u.source for u in units],
        "co_quan": [u.co_quan for u in units],
        "ten_co_quan": [u.ten_co_quan for u in units],
        "ky_hieu": [u.ky_hieu for u in units],
        "nam": [u.nam or None for u in units],
        "tong_diem": [u.total for u in units],
        "tu_xep_loai": [u.rating or "" for u in units],
        "ok": [u.ok and u.total is not None for u in units],
        "n_errors": [u.n_errors for u in units],
        "n_warnings": [u.n_warnings for u in units],
        "output": [u.output or "" for u in units],
        "errors": [list(zip_longest(u.error_codes, u.errors, fillvalue="")) for u in units],
    }
    parts = [dict(u.parts) for u in units]
    for code in codes:
        columns[f"p:{code}"] = [scores.get(code) for scores in parts]
    df = pd.DataFrame(columns) if units else pd.DataFrame([], columns=list(columns))
    df["ok"] = df["ok"].astype(bool)
    df["ky"] = df["ky_hieu"].map(fold)
    df["names"] = [[n for n in dict.fromkeys((name_key(a), name_key(b))) if n]
                   for a, b in zip(df["co_quan"], df["ten_co_quan"], strict=True)]
    df["ten"] = [c or t for c, t in zip(df["co_quan"], df["tep"], strict=True)]
    return df


def _entries_frame(entries: list[Entry]) -> pd.DataFrame:
    df = pd.DataFrame([e.__dict__ for e in entries],
                      columns=list(Entry.__dataclass_fields__))
    df.insert(0, "rid", range(len(df)))
    df["ky"] = df["ky_hieu"].map(fold)
    df["names"] = [[name_key(n)] for n in df["co_quan"]]
    return df


def pairs(left: pd.DataFrame, right: pd.DataFrame, lid: str, rid: str) -> pd.DataFrame:
    """Which rows of `left` and `right` are the same unit: by ký hiệu where it names one row
    of `right` (the roster, last year's summary, this year's units) and is not one every
    commune writes (`UBND`), else by a folded name. Columns `lid`, `rid`; several left rows
    may pair with one right row (two workbooks of one unit) and the other way round."""
    ky = right["ky"][(right["ky"] != "") & ~right["ky"].isin(GENERIC_KY_HIEU)]
    known = set(ky.drop_duplicates(keep=False))
    def keyed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        return frame.astype({key: str})  # an empty frame's keys are not text: merge refuses

    by_ky = keyed(left.loc[left["ky"].isin(known), [lid, "ky"]], "ky").merge(
        keyed(right.loc[right["ky"].isin(known), [rid, "ky"]], "ky"), on="ky")[[lid, rid]]
    rest_l = left.loc[~left[lid].isin(by_ky[lid]), [lid, "names"]].explode("names").dropna()
    rest_r = right.loc[~right[rid].isin(by_ky[rid]), [rid, "names"]].explode("names").dropna()
    by_name = keyed(rest_l, "names").merge(keyed(rest_r, "names"), on="names")[[lid, rid]]
    return pd.concat([by_ky, by_name], ignore_index=True).drop_duplicates()


def _ranks(df: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The final score (reviewed where given), its rating, the rank with ties (`min`),
    rows in ranked order then the others in input order."""
    reviewed = df["diem_tham_dinh"].notna()
    df["diem"] = df["diem_tham_dinh"].where(reviewed, df["tong_diem"])
    df["xep_loai"] = [rules.rating(d) if r else s for d, r, s in
                      zip(df["diem"], reviewed, df["tu_xep_loai"], strict=True)]
    rankable = df["ok"] & ~df["duplicate"]
    df["hang"] = df["diem"].where(rankable).rank(method="min", ascending=False).astype("Int64")
    df["status"] = [STATUS_DUPLICATE if d else STATUS_OK if ok else STATUS_FAILED
                    for ok, d in zip(df["ok"], df["duplicate"], strict=True)]
    df["_last"] = df["hang"].isna()
    return df.sort_values(["_last", "hang", "idx"], kind="stable").drop(columns="_last")


def rating_frame(ranked: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    counts = ranked["xep_loai"].value_counts().reindex(rules.band_names, fill_value=0)
    n = int(counts.sum())
    return pd.DataFrame({
        "name": rules.band_names, "count": [int(c) for c in counts],
        "share": [round_half_up(HUNDRED * int(c) / n, 2) if n else Decimal(0)
                  for c in counts]})


def build_tables(units: Sequence[UnitResult], rules: Rules,
                 sources: Sources | None = None) -> Tables:
    """All the summary's tables; located problems of the joins go to `errors`."""
    sources = sources or Sources()
    codes = [p.code for p in rules.parts]
    df = _units_frame(units, codes)
    df["duplicate"] = False
    df["dup_error"] = ""  # E702, on each workbook of a roster unit that has several
    df["cap"] = ""
    tables = Tables(df, pd.DataFrame(), codes)
    if sources.roster is not None:
        df = _join_roster(tables, df, sources)
    df["diem_tham_dinh"] = None
    df["ghi_chu_tham_dinh"] = ""
    if sources.review is not None:
        tables.reviewed = True
        df = _join_review(tables, df, sources.review)
        if not sources.review:
            tables.warnings.append("bảng thẩm định chưa có điểm thẩm định nào (cột \"Điểm "
                                   "thẩm định\" còn trống): xếp hạng theo điểm tự chấm.")
    df = _ranks(df, rules)
    tables.units = df
    ranked = tables.ranked
    tables.ratings = rating_frame(ranked, rules)
    if sources.roster is not None:
        tables.by_cap = _by_cap(df, sources.roster, rules)
        tables.unmatched = df[(df["rid"] < 0) & (df["co_quan"] != "")]
    if sources.last_year is not None:
        _join_last_year(tables, sources.last_year, rules)
    if tables.reviewed:
        adj = ranked[ranked["diem_tham_dinh"].notna()
                     & (ranked["diem_tham_dinh"] != ranked["tong_diem"])].copy()
        adj["chenh_lech"] = [a - b for a, b in
                             zip(adj["diem_tham_dinh"], adj["tong_diem"], strict=True)]
        tables.adjusted = adj
    return tables


def _join_roster(tables: Tables, df: pd.DataFrame, sources: Sources) -> pd.DataFrame:
    assert sources.roster is not None
    roster = _entries_frame(sources.roster)
    where = sources.roster_path.name if sources.roster_path is not None else ""
    tables.roster_name = where
    found = pairs(df, roster, "idx", "rid").drop_duplicates("idx")  # first: ký hiệu, name
    df = df.merge(found, on="idx", how="left")
    df["rid"] = df["rid"].fillna(-1).astype(int)
    by_rid = roster.set_index("rid")
    caps = dict(zip(roster["rid"], roster["cap"], strict=True))
    df["cap"] = [caps.get(r, "") for r in df["rid"]]  # rid -1 (no roster unit): ""
    n_files = df.loc[df["rid"] >= 0, "rid"].value_counts()
    dup = set(n_files[n_files > 1].index)
    df["duplicate"] = df["rid"].isin(dup)
    for r in sorted(dup):
        files = df.loc[df["rid"] == r, "source"].tolist()
        message = make("E702", value=by_rid.at[r, "co_quan"],
                       first=f"{by_rid.at[r, 'ref']} trong {where}", n=len(files),
                       files=", ".join(files)).message
        tables.errors.append(message)
        df.loc[df["rid"] == r, "dup_error"] = message
    tables.missing = roster[~roster["rid"].isin(n_files.index)]
    stray = df[(df["rid"] < 0) & (df["co_quan"] != "")]
    tables.warnings += [make("W701", value=u.co_quan, roster=where).message.replace(
        "Sổ của", f"{u.source}: sổ của", 1) for u in stray.itertuples()]
    return df


def _join_review(tables: Tables, df: pd.DataFrame, review: list[Entry]) -> pd.DataFrame:
    """The reviewed score and note onto each unit; a row that matches no unit, several
    units, or a unit already reviewed is a located error and is not applied."""
    rv = _entries_frame(review)
    target = df[df["ok"] & ~df["duplicate"]]
    by_report = rv[rv["bao_cao"] != ""].merge(
        target[["idx", "output"]], left_on="bao_cao", right_on="output")[["rid", "idx"]]
    rest = rv[~rv["rid"].isin(by_report["rid"])]
    found = pd.concat([by_report, pairs(rest, target, "rid", "idx")], ignore_index=True)
    per_row = found.groupby("rid")["idx"].apply(list).to_dict()
    tep = df.set_index("idx")["source"]
    score: dict[int, Decimal] = {}
    note: dict[int, str] = {}
    first: dict[int, str] = {}
    for e in rv.itertuples():
        sheet, cell = e.ref.split("!", 1)
        hits = per_row.get(e.rid, [])
        if not hits:
            tables.errors.append(make("E705", sheet=sheet, cell=cell, value=e.co_quan).message)
        elif len(hits) > 1:
            tables.errors.append(make("E706", sheet=sheet, cell=cell, value=e.co_quan,
                                      n=len(hits), files=", ".join(tep[hits])).message)
        elif hits[0] in first:
            tables.errors.append(make("E707", sheet=sheet, cell=cell, value=e.co_quan,
                                      first=first[hits[0]]).message)
        else:
            first[hits[0]], score[hits[0]], note[hits[0]] = e.ref, e.total, e.ghi_chu
    df["diem_tham_dinh"] = [score.get(i) for i in df["idx"]]
    df["ghi_chu_tham_dinh"] = [note.get(i, "") for i in df["idx"]]
    return df


def _by_cap(df: pd.DataFrame, roster: list[Entry], rules: Rules) -> pd.DataFrame:
    """Per `Cấp` in the roster's order: its units, how many submitted, how many have a
    report and how many of those in each rating."""
    caps = list(dict.fromkeys(e.cap or NO_CAP for e in roster))
    units = pd.Series([e.cap or NO_CAP for e in roster]).value_counts()
    matched = df[df["rid"] >= 0].copy()
    matched["cap"] = matched["cap"].replace("", NO_CAP)
    submitted = matched.drop_duplicates("rid")["cap"].value_counts()
    ranked = matched[matched["hang"].notna()]
    grid = pd.crosstab(ranked["cap"], ranked["xep_loai"]).reindex(
        index=caps, columns=rules.band_names, fill_value=0)
    out = pd.DataFrame({"cap": caps,
                        "units": [int(units.get(c, 0)) for c in caps],
                        "submitted": [int(submitted.get(c, 0)) for c in caps],
                        "ranked": [int(grid.loc[c].sum()) for c in caps]})
    for band in rules.band_names:
        out[band] = [int(grid.at[c, band]) for c in caps]
    return out


def _join_last_year(tables: Tables, last_year: list[Entry], rules: Rules) -> None:
    """Last year's final score and rating beside each ranked unit; the change, whether
    the rating rose, fell or held; units new this year and those gone since."""
    df = tables.units
    ly = _entries_frame(last_year).rename(columns={"rid": "lyid"})
    found = pairs(df, ly, "idx", "lyid").drop_duplicates("idx")
    merged = df[["idx"]].merge(found, on="idx", how="left").merge(
        ly[["lyid", "total", "rating"]], on="lyid", how="left")
    merged.index = df.index
    df["nam_truoc_diem"] = merged["total"].where(merged["total"].notna(), None)
    df["nam_truoc_xep_loai"] = merged["rating"].fillna("")
    order = {name: i for i, name in enumerate(rules.band_names)}
    change: list[Decimal | None] = []
    trend: list[str] = []
    for ranked, now, then, r_now, r_then in zip(
            df["hang"].notna(), df["diem"], df["nam_truoc_diem"], df["xep_loai"],
            df["nam_truoc_xep_loai"], strict=True):
        if not ranked:
            change.append(None)
            trend.append("")
        elif not r_then:
            change.append(None)
            trend.append(NEW)
        else:
            change.append(now - then if then is not None else None)
            a, b = order[r_now], order[r_then]
            trend.append(ROSE if a < b else FELL if a > b else HELD)
    df["thay_doi"] = change
    df["so_voi_nam_truoc"] = trend
    tables.changes = df[df["hang"].notna()]  # = tables.ranked: Tables.__setstate__ says so
    seen = set(merged["lyid"].dropna().astype(int))
    tables.gone = ly[~ly["lyid"].isin(seen)]


# ---------------------------------------------------------------- the document's figures


def _rows(frame: pd.DataFrame, *columns: str) -> list[list[Any]]:
    """The columns' values as plain Python rows (None for missing): iterating a frame's
    rows costs pandas' machinery per value, a list costs nothing."""
    plain = frame[list(columns)].astype(object)
    return plain.where(plain.notna(), None).to_numpy().tolist()


@functools.lru_cache(maxsize=4096)
def _score(value: Decimal | None) -> str:
    """Cached: thousands of rows share a few dozen scores, and equal Decimals (`70`,
    `70.00`) print alike."""
    return format_score(value) if value is not None else ""


@functools.lru_cache(maxsize=4096)
def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_score(value)


def _names(values: Sequence[str]) -> str:
    return "; ".join(xml_safe(v) for v in values)


# Section numbers after I–IV of the consolidated report, in the order the sections come.
_SECTIONS = ("V", "VI", "VII")


def context(tables: Tables, rules: Rules) -> dict[str, Any]:
    """The figures of tong-hop.docx that come from the frames, as display-ready text:
    the ranking (Phụ lục I), the best and mean scores, and the sections of the roster
    (`danh_sach`, `theo_cap`), last year (`nam_truoc`, `thay_doi`) and the review
    (`tham_dinh`, `dieu_chinh`); a section's record is None when its option was not used.
    Made once per tables and rules (`Tables.contexts`): treat it as read-only."""
    known = tables.contexts.get(id(rules))
    if known is not None and known["rules"] is rules:
        return known["context"]
    ctx = _context(tables, rules)
    tables.contexts[id(rules)] = {"rules": rules, "context": ctx}
    return ctx


def _context(tables: Tables, rules: Rules) -> dict[str, Any]:
    ranked = tables.ranked
    ctx: dict[str, Any] = {
        "diem_cao_nhat": "", "don_vi_cao_nhat": "", "diem_binh_quan": "",
        "xep_hang": [{"hang": str(hang), "ten": xml_safe(ten), "diem": _score(diem),
                      "tu_cham": _score(tu_cham), "tham_dinh": _score(tham_dinh),
                      "xep_loai": xep_loai, "tep": xml_safe(tep)}
                     for hang, ten, diem, tu_cham, tham_dinh, xep_loai, tep in _rows(
                         ranked, "hang", "ten", "diem", "tong_diem", "diem_tham_dinh",
                         "xep_loai", "tep")],
        "danh_sach": None, "theo_cap": [], "nam_truoc": None, "thay_doi": [],
        "tham_dinh": None, "dieu_chinh": [],
    }
    if len(ranked):
        scores = list(ranked["diem"])
        ctx["diem_cao_nhat"] = format_score(max(scores))
        ctx["don_vi_cao_nhat"] = ", ".join(
            xml_safe(n) for n in ranked.loc[ranked["hang"] == 1, "ten"])
        ctx["diem_binh_quan"] = format_score(
            round_half_up(sum(scores, Decimal(0)) / len(scores), 2))
    numbers = iter(_SECTIONS)
    if tables.missing is not None and tables.by_cap is not None:
        by_cap = tables.by_cap
        ctx["danh_sach"] = {
            "muc": next(numbers),
            "so_don_vi": format_number(int(by_cap["units"].sum())),
            "da_nop": format_number(int(by_cap["submitted"].sum())),
            "so_chua_nop": format_number(len(tables.missing)),
            "chua_nop": _names(tables.missing["co_quan"]),
            "ngoai_danh_sach": _names(tables.unmatched["ten"])
            if tables.unmatched is not None else "",
        }
        ctx["theo_cap"] = [
            {"cap": xml_safe(r["cap"]), "so_don_vi": format_number(int(r["units"])),
             "da_nop": format_number(int(r["submitted"])),
             "xep_loai": "; ".join(f"{b}: {format_number(int(r[b]))}"
                                   for b in rules.band_names)}
            for _, r in by_cap.iterrows()]
    if tables.changes is not None and tables.gone is not None:
        ch = tables.changes
        trend = ch["so_voi_nam_truoc"]
        ctx["nam_truoc"] = {
            "muc": next(numbers),
            "tang": format_number(int((trend == ROSE).sum())),
            "giam": format_number(int((trend == FELL).sum())),
            "giu_nguyen": format_number(int((trend == HELD).sum())),
            "moi": _names(ch.loc[trend == NEW, "ten"]),
            "khong_con": _names(tables.gone["co_quan"]),
        }
        ctx["thay_doi"] = [
            {"stt": str(i), "ten": xml_safe(ten), "diem_truoc": _score(before),
             "xep_loai_truoc": rating_before, "diem": _score(now), "xep_loai": rating,
             "thay_doi": _signed(change), "so_voi": trend_text}
            for i, (ten, before, rating_before, now, rating, change, trend_text) in enumerate(
                _rows(ch[trend != NEW], "ten", "nam_truoc_diem", "nam_truoc_xep_loai", "diem",
                      "xep_loai", "thay_doi", "so_voi_nam_truoc"), 1)]
    if tables.adjusted is not None:
        ctx["tham_dinh"] = {
            "muc": next(numbers),
            "so_tham_dinh": format_number(int(tables.units["diem_tham_dinh"].notna().sum())),
            "so_dieu_chinh": format_number(len(tables.adjusted)),
        }
        ctx["dieu_chinh"] = [
            {"ten": xml_safe(r.ten), "tu_cham": _score(r.tong_diem),
             "tham_dinh": _score(r.diem_tham_dinh), "chenh_lech": _signed(r.chenh_lech),
             "xep_loai": r.xep_loai if r.xep_loai == r.tu_xep_loai
             else f"từ {r.tu_xep_loai} thành {r.xep_loai}",
             "ghi_chu": xml_safe(r.ghi_chu_tham_dinh)}
            for r in tables.adjusted.itertuples()]
    return ctx


def overview(tables: Tables, rules: Rules) -> list[str]:
    """One line for the screen per section of the year that was asked for."""
    ctx = context(tables, rules)
    lines = []
    if (ds := ctx["danh_sach"]) is not None:
        lines.append(f"Danh sách đơn vị: {ds['da_nop']}/{ds['so_don_vi']} đơn vị đã nộp, "
                     f"{ds['so_chua_nop']} chưa nộp (trang \"Chưa nộp\").")
    if (nt := ctx["nam_truoc"]) is not None:
        lines.append(f"So với năm trước: {nt['tang']} đơn vị tăng xếp loại, {nt['giam']} "
                     f"giảm, {nt['giu_nguyen']} giữ nguyên.")
    if (td := ctx["tham_dinh"]) is not None:
        lines.append(f"Thẩm định: {td['so_tham_dinh']} báo cáo có điểm thẩm định, "
                     f"{td['so_dieu_chinh']} đơn vị được điều chỉnh điểm.")
    return lines
