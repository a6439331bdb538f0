"""The demo seeder stays in readable pieces: a thin command over the `repairs.demo` package."""

from __future__ import annotations

import ast
from pathlib import Path

import repairs.demo
from repairs.management.commands import seed_demo

PACKAGE = Path(repairs.demo.__file__).parent
COMMAND = Path(seed_demo.__file__)


def functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]


def length(node: ast.FunctionDef) -> int:
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def test_the_command_only_reads_arguments_and_prints() -> None:
    tree = ast.parse(COMMAND.read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    }
    # Drawing and writing rows belongs to the package, not the entry point.
    assert "random" not in imported
    assert "repairs.models" not in imported
    assert len(COMMAND.read_text().splitlines()) < 150
    assert all(length(node) <= 30 for node in functions(COMMAND))


def test_no_demo_module_or_function_outgrows_the_style_guide() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        assert len(path.read_text().splitlines()) <= 600, path.name
        for node in functions(path):
            assert length(node) <= 80, f"{path.name}: {node.name}"
