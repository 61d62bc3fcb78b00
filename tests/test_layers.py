"""Services (and their callers: web, CLI, jobs) build no queries: every query and write is a named
function in quizzer/store.

Import-linter (``make check``) keeps peewee out of their imports, but they still import model classes
as types (``User``, ``Deck``), and a model class is enough to build a query. This test parses every
module under quizzer/services and quizzer/web, and the CLI, jobs and import worker, and fails on

- any attribute of a model class (``Deck.select``, ``Deck.owner == 1``, ``Note._meta``): a model class
  is a model class wherever it came from (any ``quizzer.store`` module, by name or module attribute);
- a call of a method only peewee models and queries have (``.save()``, ``.select()``, ``.tuples()``...),
  on anything: these names are not dict, list or str methods, so nothing else is caught.

Calls such as ``.get``, ``.update``, ``.join``, ``.delete``, ``.where`` or ``.exists`` are left alone
(dicts, sets, strings, paths and SafeZip have them): the first rule catches them on a model class, and
services get rows, not queries, back from the store, so there is no query object to call them on.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import peewee
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "quizzer"
PEEWEE_ONLY_METHODS = {
    "select", "save", "delete_instance", "execute", "execute_sql", "atomic", "connection_context",
    "insert_many", "get_or_none", "get_by_id", "for_update", "tuples", "dicts", "namedtuples", "objects",
    "paginate", "order_by", "group_by", "on_conflict_ignore", "on_conflict", "returning", "first", "scalar",
    "distinct", "switch",
}


def _checked_files() -> list[Path]:
    files = [*PACKAGE.joinpath("services").rglob("*.py"), *PACKAGE.joinpath("web").rglob("*.py"),
             *(PACKAGE / name for name in ("cli.py", "jobs.py", "import_worker.py"))]
    return sorted(set(files))


def _is_model(module: str, name: str) -> bool:
    value = getattr(importlib.import_module(module), name, None)
    return isinstance(value, type) and issubclass(value, peewee.Model)


def _model_names(tree: ast.Module) -> tuple[set[str], dict[str, str]]:
    """Names bound to model classes, and names bound to quizzer.store modules (alias -> module)."""
    models, modules = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("quizzer.store"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if _is_package(node.module) and importlib.util.find_spec(submodule):
                    modules[alias.asname or alias.name] = submodule
                elif _is_model(node.module, alias.name):
                    models.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("quizzer.store") and alias.asname:
                    modules[alias.asname] = alias.name
    return models, modules


def _is_package(module: str) -> bool:
    return hasattr(importlib.import_module(module), "__path__")


def _is_model_expr(node: ast.expr, models: set[str], modules: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in models
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
        return _is_model(modules[node.value.id], node.attr)
    return False


def query_building(source: str) -> list[str]:
    """Where ``source`` (a module above the store) builds a query: "line: what" each."""
    tree = ast.parse(source)
    models, modules = _model_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_model_expr(node.value, models, modules):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in PEEWEE_ONLY_METHODS):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


@pytest.mark.parametrize("path", _checked_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_queries_above_the_store(path):
    assert query_building(path.read_text()) == []


def test_the_check_sees_queries_and_leaves_plain_code_alone():
    caught = query_building(
        "from quizzer.store.models import Deck, User\n"
        "from quizzer.store import quiz_models as qm\n"
        "Deck.select().where(Deck.owner == 1)\n"
        "qm.Quiz.get_or_none(1)\n"
        "def f(user: User):\n    user.save()\n")
    assert [line.split(":")[0] for line in caught] == ["3", "3", "3", "4", "4", "6"]
    assert query_building(
        "from quizzer.store.models import Deck\n"
        "from quizzer.store.decks import find_deck\n"
        "def f(deck: Deck, d: dict):\n"
        "    d.get('a'); d.update(b=1); ', '.join([]); {1}.update({2}); archive.where('m'); path.exists()\n"
        "    return find_deck(None, 'x').title\n") == []
