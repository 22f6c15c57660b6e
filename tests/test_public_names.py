"""Every name a package or module exports in ``__all__`` exists, every package has ``__all__``, and the
layers import only downwards (numeric <- proofs <- cnn_bounds; networks <- verdicts <- driver)."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

PACKAGES = ("numeric", "proofs", "cnn_bounds")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        root = importlib.import_module(package)
        names += [info.name for info in pkgutil.walk_packages(root.__path__, package + ".")]
    return names


@pytest.mark.parametrize("name", _modules())
def test_every_exported_name_exists(name):
    module = importlib.import_module(name)
    if hasattr(module, "__path__"):
        assert hasattr(module, "__all__"), f"package {name} has no __all__"
    missing = [public for public in getattr(module, "__all__", []) if not hasattr(module, public)]
    assert not missing, f"{name}.__all__ names {missing}, which it does not define"


LAYERS = {
    "numeric": 0,
    "proofs": 1,
    "cnn_bounds.networks": 2,
    "cnn_bounds.strategies": 3,
    "cnn_bounds.verdicts": 3,
    "cnn_bounds.driver": 4,
}


def _layer(module: str) -> int | None:
    matches = [prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


@pytest.mark.parametrize("name", [n for n in _modules() if _layer(n) is not None])
def test_a_module_imports_nothing_from_a_layer_above_it(name):
    path = Path(importlib.import_module(name).__file__)
    imported = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
    above = [m for m in imported if _layer(m) is not None and _layer(m) > _layer(name)]
    assert not above, f"{name} imports {above} from a layer above it"
