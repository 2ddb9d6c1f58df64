"""Which package may import which: production code never depends on the test doubles.

`api`, `db` and `bot` import nothing from `sandbox`, except the CLI's `demo` and `simulator`
subcommands, which import it inside the subcommand. The doubles stay independent of what they
imitate: the UIS simulator imports nothing from `api`, the Telegram emulator nothing from `bot`.
Every import statement counts, also those inside functions and under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("api", "db", "bot")
# (module, function) pairs that may import the sandbox, lazily.
ALLOWED_SANDBOX_EDGES = frozenset({("bot.cli", "_cmd_demo"), ("bot.cli", "_run_simulator")})
# package -> top-level packages it must never import
FORBIDDEN = {
    "api": ("sandbox", "bot", "db", "aiogram"),
    "db": ("sandbox", "bot", "api", "aiogram"),
    "bot": ("sandbox",),
    "sandbox.uis": ("api", "bot", "db"),
    "sandbox.telegram": ("bot", "api", "db"),
}


@dataclass(frozen=True)
class ImportEdge:
    module: str
    target: str
    function: str | None  # innermost enclosing function, None at module level
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _edges(path: Path) -> Iterator[ImportEdge]:
    module = _module_name(path)
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, function: str | None) -> Iterator[ImportEdge]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield ImportEdge(module, alias.name, function, child.lineno)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child.level, child.module)
                yield ImportEdge(module, target, function, child.lineno)
            yield from visit(child, function)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), None)


def _all_edges() -> list[ImportEdge]:
    return [
        edge
        for package in (*PRODUCT_PACKAGES, "sandbox")
        for path in sorted((REPO / package).rglob("*.py"))
        for edge in _edges(path)
    ]


def _owner(module: str) -> str | None:
    for package in sorted(FORBIDDEN, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def test_the_walker_sees_lazy_and_relative_imports() -> None:
    sample = REPO / "bot" / "cli.py"
    lazy = [e for e in _edges(sample) if e.target.startswith("sandbox")]
    assert {(e.function, e.target) for e in lazy} >= {("_cmd_demo", "sandbox.demo")}
    assert _resolve("sandbox.uis.rpc", False, 1, "errors") == "sandbox.uis.errors"
    assert _resolve("sandbox.uis", True, 1, "clock") == "sandbox.uis.clock"


def test_no_forbidden_import_edges() -> None:
    edges = _all_edges()
    assert len(edges) > 500, "the walker found suspiciously few imports"
    offending = []
    for edge in edges:
        owner = _owner(edge.module)
        if owner is None:
            continue
        top = edge.target.split(".")[0]
        if top not in FORBIDDEN[owner]:
            continue
        if top == "sandbox" and (edge.module, edge.function) in ALLOWED_SANDBOX_EDGES:
            continue
        offending.append(f"{edge.module}:{edge.line} imports {edge.target}")
    assert not offending, "\n".join(offending)


def test_allowed_sandbox_edges_are_lazy_and_still_exist() -> None:
    lazy = {(e.module, e.function) for e in _all_edges() if e.target.split(".")[0] == "sandbox"}
    product_lazy = {pair for pair in lazy if pair[0].split(".")[0] in PRODUCT_PACKAGES}
    assert product_lazy == ALLOWED_SANDBOX_EDGES


def test_importing_every_product_module_loads_no_sandbox_module() -> None:
    modules = sorted(
        _module_name(path)
        for package in PRODUCT_PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "migrations" not in path.parts and path.name != "__main__.py"
    )
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'sandbox' or m.startswith('sandbox.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
