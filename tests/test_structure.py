"""The project's shape, kept by tests so it cannot rot: dependencies point one way
(`repairs` → `sessions` → `rupturelog`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package may import only the packages after it here (and itself).
LAYERS = ["repairs", "sessions", "rupturelog"]


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
