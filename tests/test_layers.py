"""The layer contract: screens, reports and exchange reach the clinic only through pmsdesk.services.

Every module of pmsdesk/ui, pmsdesk/reports and pmsdesk/exchange is parsed (not imported) and every
import statement in it is checked, including imports inside functions and under TYPE_CHECKING, and
``importlib.import_module("...")`` calls with a literal name. None may import pmsdesk.store (tables,
database, sessions, audit) or sqlalchemy / sqlmodel, and none may reach for a service's database
handle (``clinic.db``): the services own the transaction, the permission check and the audit entry.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pmsdesk"
LAYERS = ("ui", "reports", "exchange")
FORBIDDEN = ("pmsdesk.store", "sqlalchemy", "sqlmodel")
DATABASE_HANDLES = frozenset({"db"})  # Clinic.db, Accounts.db: the services' own


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if not module_is_package(module):
        package = package[:-1]
    base = package[:len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def module_is_package(module: str) -> bool:
    return (PACKAGE.parent / Path(*module.split(".")) / "__init__.py").is_file()


def imported_names(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module name) of everything ``source`` imports, wherever the statement is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)  # from pmsdesk import store
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
            found.append((node.lineno, node.args[0].value))
    return found


def forbidden_imports(source: str, module: str) -> list[str]:
    return [f"{module}:{line} imports {name}" for line, name in imported_names(source, module)
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)]


def database_handles(source: str, module: str) -> list[str]:
    return [f"{module}:{node.lineno} uses .{node.attr}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in DATABASE_HANDLES]


def layer_modules() -> list[tuple[str, str]]:
    return [(module_name(path), path.read_text(encoding="utf-8"))
            for layer in LAYERS for path in sorted((PACKAGE / layer).rglob("*.py"))]


def test_the_walk_finds_every_layer_and_its_modules():
    names = {name for name, _ in layer_modules()}
    assert {"pmsdesk.ui.app", "pmsdesk.ui.printing", "pmsdesk.ui.exchange", "pmsdesk.reports.assemble",
            "pmsdesk.reports.data", "pmsdesk.exchange.snapshot", "pmsdesk.exchange.importer",
            "pmsdesk.exchange.archive"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_of_the_layer_imports_the_store_or_a_database_library(layer):
    offenders = [problem for name, source in layer_modules() if name.split(".")[1] == layer
                 for problem in forbidden_imports(source, name)]
    assert offenders == []


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_of_the_layer_uses_a_services_database_handle(layer):
    offenders = [problem for name, source in layer_modules() if name.split(".")[1] == layer
                 for problem in database_handles(source, name)]
    assert offenders == []


def test_the_check_sees_imports_wherever_they_are():
    """What the contract catches: imports inside functions, under TYPE_CHECKING, relative, by name."""
    source = '''
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from pmsdesk.store.tables import Patient
def late():
    import sqlalchemy.orm
    from sqlmodel import select
    from pmsdesk import store
    from ..store import database
    importlib.import_module("pmsdesk.store.audit")
    return clinic.db.reading()
'''
    problems = forbidden_imports(source, "pmsdesk.reports.assemble")
    assert sorted(problem.split(" imports ")[1] for problem in problems) == sorted([
        "pmsdesk.store.tables", "pmsdesk.store.tables.Patient", "sqlalchemy.orm", "sqlmodel", "sqlmodel.select",
        "pmsdesk.store", "pmsdesk.store", "pmsdesk.store.database", "pmsdesk.store.audit",
    ])
    assert database_handles(source, "pmsdesk.reports.assemble") == ["pmsdesk.reports.assemble:11 uses .db"]
    assert forbidden_imports("from pmsdesk.services import reporting\nimport pmsdesk.storehouse\n",
                             "pmsdesk.ui.printing") == []
