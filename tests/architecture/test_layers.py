"""Imports run one way: cli/web -> channels, dashboard -> composition -> ops -> core ->
storage. A module may import its own layer or any layer below it, never one above; the
channels and the dashboard never import each other; and no two modules import each other
in a cycle. Checked on the source (every import statement, including ones inside
functions), so a lazy import that runs back up fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import PROJECT_ROOT

# Lowest first; a module belongs to the first (longest) prefix that matches it.
LAYERS: list[tuple[str, ...]] = [
    ("storage",),
    ("bot.settings",),
    ("bot.core",),
    ("bot.ops",),
    ("bot.demo", "bot.composition"),
    ("bot.channels", "bot.dashboard"),
    ("bot.web", "bot.cli", "bot.__main__", "bot"),
]
SIBLINGS_APART = {("bot.channels", "bot.dashboard"), ("bot.dashboard", "bot.channels")}


def _prefix(module: str) -> tuple[int, str]:
    best: tuple[int, str] | None = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                    best is None or len(prefix) > len(best[1])):
                best = (level, prefix)
    assert best is not None, module
    return best


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for top in ("bot", "storage"):
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Modules this file imports; `from package import submodule` counts the submodule."""
    names: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in modules else base)
    return {n for n in names if n in modules and n != module}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def test_no_import_runs_back_up_the_layers() -> None:
    wrong = []
    for module, targets in _graph().items():
        level, prefix = _prefix(module)
        for target in targets:
            target_level, target_prefix = _prefix(target)
            if target_level > level or (prefix, target_prefix) in SIBLINGS_APART:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles_between_modules() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
