"""The pipeline's shape, held against the code: stage order and no import cycle at all.

Every import counts, at module level, inside functions and under TYPE_CHECKING alike: an
import hidden in a function is still a dependency, and a cycle through one is still a
cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "baocao_cli"

# Lower stages first; a module may import its own stage or an earlier one only. The web
# face (serve) sits below the command line: `baocao serve` starts it, it never uses cli/.
STAGES = ["", "read", "validate", "score", "render", "summary", "api", "serve", "cli"]
FOUNDATION = {"issues", "vn", "contract", "model", "files", "errors"}
API = {"api", "batch", "output", "starter", "__init__"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(mod: str, is_pkg: bool, level: int, name: str | None, modules: set[str]
             ) -> str | None:
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    if is_pkg:
        base = base[:-1]  # "x/__init__" names the package x
    if level:
        base = base[: len(base) - (level - 1)] if level > 1 else base
    target = ".".join([*base, *(name.split(".") if name else [])])
    return target


def imports_of(mod: str, path: Path, modules: set[str]) -> set[str]:
    """The project modules `mod` imports, resolved to their dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()

    def add(target: str) -> None:
        for candidate in (target, f"{target}.__init__" if target else "__init__"):
            if candidate in modules:
                found.add(candidate)
                return

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not (node.module or "").startswith("baocao_cli"):
                    continue
                target = (node.module or "")[len("baocao_cli"):].lstrip(".")
            else:
                target = _resolve(mod, is_pkg, node.level, node.module, modules) or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in modules or f"{sub}.__init__" in modules:
                    add(sub)  # `from . import contract` imports the module contract
                else:
                    add(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("baocao_cli"):
                    add(alias.name[len("baocao_cli"):].lstrip("."))
    found.discard(mod)
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    names = set(modules)
    return {m: imports_of(m, p, names) for m, p in modules.items()}


def stage_of(mod: str) -> int:
    head = mod.split(".")[0]
    if head in FOUNDATION:
        return 0
    if head in API:
        return STAGES.index("api")
    return STAGES.index(head)


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_imports_inside_functions() -> None:
    g = graph()
    # api.build imports the renderer inside the function; the graph must see it.
    assert "render.report" in g["api"]
    assert "read.book" in g["validate.parse"]


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    assert cycles(graph()) == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("mod", sorted(_modules()))
def test_no_module_imports_a_later_stage(mod: str) -> None:
    g = graph()
    later = sorted(t for t in g[mod] if stage_of(t) > stage_of(mod))
    assert later == [], f"{mod} (stage {STAGES[stage_of(mod)] or 'foundation'}) imports {later}"
