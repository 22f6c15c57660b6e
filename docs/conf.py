"""Sphinx configuration of the cnn-bounds documentation (MyST Markdown pages, API from the docstrings)."""

import re
import sys
from importlib.metadata import version as _version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # document this checkout

project = "cnn-bounds"
author = "the cnn-bounds developers"
copyright = "2026, the cnn-bounds developers"
release = _version("cnn-bounds")

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_click",
]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]

autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autosummary_generate = False
nitpicky = True
nitpick_ignore_regex = [
    # third-party and standard types named in signatures and docstrings, which have no inventory offline
    (r"py:.*", r"(np|numpy|torch|sympy|scipy|click|networkx|matplotlib|pathlib|os|collections|typing|hypothesis)\..*"),
    (r"py:class", r"(Path|Callable|Sequence|Iterable|Iterator|Mapping|Literal|Figure|ndarray|Tensor|Module)"),
    (r"py:class", r"mpmath\..*"),
    (r"py:class", r".*\._\w+"),  # private helper types in return annotations
]

html_theme = "furo"
html_title = "cnn-bounds"
html_static_path = []


_LITERAL = re.compile(r"(``.*?``|:[a-z:]+:`[^`]*`|`[^`]*`)")


def _plain_text_math(line: str) -> str:
    """Docstrings write math as plain text (|A|, f_i, 2^N, a*b); escape what reStructuredText would read as
    substitutions, references or emphasis, outside literals and roles."""
    bullet = re.match(r"\s*[*-] ", line)
    head, line = (line[: bullet.end()], line[bullet.end() :]) if bullet else ("", line)
    parts = _LITERAL.split(line)
    for i in range(0, len(parts), 2):
        text = parts[i].replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
        parts[i] = re.sub(r"(\w)_(?=\W|$)", r"\1\\_", text)
    return head + "".join(parts)


def _escape_docstring(app, what, name, obj, options, lines):
    lines[:] = [_plain_text_math(line) for line in lines]


def _escape_click(app, ctx, lines):
    lines[:] = [_plain_text_math(line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _escape_docstring)
    app.connect("sphinx-click-process-description", _escape_click)
    app.connect("sphinx-click-process-options", _escape_click)
