"""The project's shape, kept by tests so it cannot rot: dependencies point one way
(`repairs` → `sessions` → `rupturelog`), and no app function grows past what a reader can
hold in their head."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package may import only the packages after it here (and itself).
LAYERS = ["repairs", "sessions", "rupturelog"]
LONGEST_FUNCTION = 80  # lines, decorators and docstring included


def _modules(package: str, *, migrations: bool = True) -> Iterator[Path]:
    for path in sorted((ROOT / package).rglob("*.py")):
        if migrations or "migrations" not in path.parts:
            yield path


def _imported_packages(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every import in the module, at any depth: inside
    functions too, where "imported here to avoid a cycle" used to hide the wrong way round."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module.split(".")[0]


def _wrong_way(package: str) -> list[str]:
    below = LAYERS[LAYERS.index(package) + 1 :]
    above = set(LAYERS) - set(below) - {package}
    found = []
    for path in _modules(package):
        for line, imported in _imported_packages(path):
            if imported in above:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_imports_point_only_down_the_layers(package: str) -> None:
    assert _wrong_way(package) == [], (
        f"{package} may import only {LAYERS[LAYERS.index(package) + 1 :]}: move the code to "
        "the layer it belongs to, or send a signal the layer above receives"
    )


def test_the_layer_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from repairs.models import Rupture\n    import sessions\n")
    assert list(_imported_packages(module)) == [(2, "repairs"), (3, "sessions")]


def _functions(package: str) -> Iterator[tuple[str, int]]:
    for path in _modules(package, migrations=False):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                length = node.end_lineno - start + 1
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", length


@pytest.mark.parametrize("package", LAYERS)
def test_no_app_function_is_longer_than_a_reader_can_follow(package: str) -> None:
    long = {name: n for name, n in _functions(package) if n > LONGEST_FUNCTION}
    assert long == {}, f"split these into named steps (over {LONGEST_FUNCTION} lines)"
