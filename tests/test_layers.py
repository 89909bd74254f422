"""The package table of docs/ARCHITECTURE.md, checked two ways: statically (every import in
the source, lazy ones included, against what each package may import; no import cycles
between modules) and in fresh interpreters (what importing a package really loads)."""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest

import ftwizard
from import_walk import imports_in

HEAVY = ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate")
QT = ("PySide6", "pyqtgraph")
SRC = pathlib.Path(ftwizard.__file__).parent

# What each part of ftwizard may import (besides itself and the root package's __version__).
# The order is the layering: a part only imports parts listed before it.
MAY_IMPORT: dict[str, set[str]] = {
    "base": set(),
    "catalog": {"base"},
    "data": {"base"},
    "estimate": {"base", "catalog"},
    "hardware": {"base", "catalog"},
    "runs": {"base", "catalog", "estimate", "hardware"},
    "recommend": {"base", "catalog", "data", "estimate", "hardware", "runs"},
    "evaluate": {"base", "runs", "recommend"},
    "schemas": {"base"},  # names the formats as strings, imports them on demand
    "runtime": {"base", "hardware", "runs"},
    "runtime_install": {"base", "runtime"},
    "report": {"base", "catalog", "data", "estimate", "evaluate", "hardware", "recommend", "runs"},
    "train": {"base", "catalog", "data", "estimate", "evaluate", "runs"},
    "gui": {"base", "catalog", "data", "estimate", "evaluate", "hardware", "recommend", "report", "runs",
            "runtime"},
    "selftest": {"base", "catalog", "gui", "hardware", "recommend", "report"},
    "cli": {"base", "catalog", "data", "estimate", "evaluate", "gui", "hardware", "recommend", "report",
            "runs", "runtime", "runtime_install", "schemas", "selftest"},
    "__main__": {"cli"},
}
# Parts that load neither Qt nor the training stack when imported, every module of them.
QT_FREE_AND_TORCH_FREE = ("base", "catalog", "data", "estimate", "hardware", "runs", "recommend",
                          "evaluate", "schemas", "runtime")


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        name = ".".join(("ftwizard", *path.relative_to(SRC).with_suffix("").parts))
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(path: pathlib.Path) -> list[tuple[int, str, bool]]:
    """(line, imported module, at top level) for every ftwizard import, lazy ones included."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    out = []
    for node, names in imports_in(tree):
        out += [(node.lineno, n, id(node) in top) for n in names if n.split(".")[0] == "ftwizard"]
    return out


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_part_is_in_the_table():
    parts = {_part(m) for m in _modules()} - {""}
    assert parts == set(MAY_IMPORT), "add the new part to MAY_IMPORT and docs/ARCHITECTURE.md"


def test_each_part_imports_only_what_the_table_allows():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        part = _part(name)
        for line, target, _ in _imports(path):
            if target not in modules:  # `from ftwizard.x import name`: the name, not a module
                continue
            other = _part(target)
            if other in ("", part) or other in MAY_IMPORT[part]:
                continue
            wrong.append(f"{path.relative_to(SRC.parent)}:{line}: {part} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles_between_modules():
    """Lazy imports count too: a cycle through a function body is still a knot to untie."""
    modules = _modules()
    graph = {name: {t for _, t, _ in _imports(path) if t in modules and t != name}
             for name, path in modules.items()}
    # Tarjan's strongly connected components, iteratively.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
    assert not cycles


def test_every_package_says_what_it_is_for_and_what_it_may_import():
    for part in MAY_IMPORT:
        init = SRC / part / "__init__.py"
        if not init.exists():
            continue
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert doc.startswith(f"ftwizard.{part}:"), f"{init}: the docstring opens with what the package is for"
        if part in QT_FREE_AND_TORCH_FREE:
            assert "May import" in doc, f"{init}: the docstring says what the package may import"


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def top_level(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


def test_qt_free_parts_load_no_qt_and_no_torch():
    names = ", ".join(repr(f"ftwizard.{p}") for p in QT_FREE_AND_TORCH_FREE)
    mods = top_level(loaded_after(
        "import pkgutil, importlib\n"
        f"for name in ({names}):\n"
        "    pkg = importlib.import_module(name)\n"
        "    for m in pkgutil.walk_packages(getattr(pkg, '__path__', []), name + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "from ftwizard.catalog.store import load_catalog; load_catalog()"
    ))
    assert not mods & set(HEAVY + QT)


def test_gui_and_report_load_no_training_stack():
    mods = top_level(loaded_after(
        "import pkgutil, importlib, ftwizard.gui as g, ftwizard.report as r\n"
        "[importlib.import_module(m.name) for p, n in ((g, 'ftwizard.gui.'), (r, 'ftwizard.report.'))"
        " for m in pkgutil.walk_packages(p.__path__, n)]"
    ))
    assert not mods & set(HEAVY)


def test_cli_help_loads_nothing_heavy():
    mods = top_level(loaded_after("from ftwizard.cli.main import build_parser; build_parser()"))
    assert not mods & set(HEAVY + QT)


@pytest.mark.parametrize("part", [*QT_FREE_AND_TORCH_FREE, "cli"])
def test_no_module_imports_qt_or_torch_at_top_level(part):
    """Static check too: a lazy import inside a function is fine, a top-level one is not."""
    root = SRC / part
    paths = list(root.rglob("*.py")) if root.is_dir() else [SRC / f"{part}.py"]
    for path in paths:
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for n in names:
                assert n.split(".")[0] not in set(HEAVY + QT), f"{path}: top-level import of {n}"
