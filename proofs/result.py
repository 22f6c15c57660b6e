"""The shape every derived result shares: statement, derivation, symbolic check, numeric check, LaTeX.

A :class:`Result` is built by a function in its own module from the *claimed* statement, so a wrong
claim can be built the same way and must fail :meth:`Result.verify_symbolic`. Symbolic checks are named
predicates that sympy evaluates; numeric checks compare the statement with exact small-lattice figures
from :mod:`numeric` and return those figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what it does, in words, and the sympy expression it produces."""

    text: str
    expression: sympy.Basic


@dataclass(frozen=True)
class SymbolicCheck:
    """Outcome of verify_symbolic: each named check and whether sympy confirmed it."""

    outcomes: tuple[tuple[str, bool], ...]

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.outcomes)


@dataclass(frozen=True)
class NumericCheck:
    """Outcome of check_numeric: the compared figures as a table, and whether every row agreed."""

    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    row_passed: tuple[bool, ...]
    summary: str
    figures: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(self.row_passed)


@dataclass(frozen=True)
class Result:
    """A result of the paper made precise, with its derivation and checks."""

    key: str
    title: str
    assumptions: tuple[str, ...]
    statement: tuple[sympy.Basic, ...]
    steps: tuple[Step, ...]
    checks: tuple[tuple[str, Callable[[], bool]], ...]
    numeric: Callable[..., NumericCheck]
    remark: str = ""

    def verify_symbolic(self) -> SymbolicCheck:
        """Run every named sympy check; a check that raises counts as failed (and says why)."""
        outcomes = []
        for name, predicate in self.checks:
            try:
                outcomes.append((name, bool(predicate())))
            except (TypeError, ValueError, NotImplementedError) as error:
                outcomes.append((f"{name} (sympy could not decide: {error})", False))
        return SymbolicCheck(tuple(outcomes))

    def check_numeric(self, *, full: bool = False, seed: int = 0, progress=None) -> NumericCheck:
        """Evaluate the statement against exact small-lattice numbers: ``full`` for the larger sizes,
        ``seed`` for every random choice, ``progress`` a callable wrapping an iterable (e.g. tqdm)."""
        return self.numeric(full=full, seed=seed, progress=progress)

    def record(self, symbolic: SymbolicCheck, numeric: NumericCheck) -> dict:
        """Everything known about this result after its checks, as plain data (and its LaTeX)."""
        return {
            "key": self.key,
            "title": self.title,
            "assumptions": list(self.assumptions),
            "statement": [str(s) for s in self.statement],
            "statement_latex": [sympy.latex(s) for s in self.statement],
            "steps": [{"text": s.text, "expression": str(s.expression)} for s in self.steps],
            "remark": self.remark,
            "symbolic": {"passed": symbolic.passed, "checks": [{"name": n, "passed": ok} for n, ok in symbolic.outcomes]},
            "numeric": {"passed": numeric.passed, "summary": numeric.summary, "headers": list(numeric.headers),
                        "rows": [list(row) for row in numeric.rows], "row_passed": list(numeric.row_passed),
                        "figures": numeric.figures},
            "latex": self.latex(symbolic, numeric),
        }

    def latex(self, symbolic: SymbolicCheck | None = None, numeric: NumericCheck | None = None) -> str:
        """A LaTeX subsection: assumptions, statement and derivation (formulas by sympy's printer)."""
        lines = [rf"\subsection{{{latex_text(self.title)}}}", r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        lines += [rf"  \item {latex_text(a)}" for a in self.assumptions]
        lines += [r"\end{itemize}", r"\paragraph{Statement.}", r"\begin{gather*}"]
        lines.append(" \\\\\n".join(sympy.latex(s) for s in self.statement))
        lines += [r"\end{gather*}", r"\paragraph{Derivation.}", r"\begin{enumerate}"]
        for step in self.steps:
            lines.append(rf"  \item {latex_text(step.text)}: $\displaystyle {sympy.latex(step.expression)}$")
        lines.append(r"\end{enumerate}")
        if self.remark:
            lines += [r"\paragraph{Precise version.}", latex_text(self.remark)]
        if symbolic is not None:
            verdict = "passed" if symbolic.passed else "FAILED"
            lines += [rf"\paragraph{{Symbolic check: {verdict}.}}", r"\begin{itemize}"]
            lines += [rf"  \item {latex_text(name)}: {'confirmed' if ok else 'not confirmed'}" for name, ok in symbolic.outcomes]
            lines.append(r"\end{itemize}")
        if numeric is not None:
            verdict = "passed" if numeric.passed else "FAILED"
            lines += [rf"\paragraph{{Numeric check: {verdict}.}}", latex_text(numeric.summary)]
        return "\n".join(lines) + "\n"


_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def latex_text(text: str) -> str:
    """Escape plain text for LaTeX."""
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text)


def is_zero(expression: sympy.Basic) -> bool:
    """True when sympy proves ``expression`` identically zero (simplify, then expand)."""
    return sympy.simplify(expression) == 0 or sympy.expand(sympy.simplify(expression)) == 0


def all_true(values: Sequence[bool]) -> bool:
    """all(), but False for an empty sequence: a check over no cases has checked nothing."""
    return bool(values) and all(values)
