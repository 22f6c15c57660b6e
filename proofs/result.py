"""The shape every derived result shares: statement, derivation, symbolic check, numeric check, LaTeX.

A :class:`Result` is built by a function in its own module from the *claimed* statement, so a wrong
claim can be built the same way and must fail :meth:`Result.verify_symbolic`. What it rests on is kept in
three kinds, never mixed:

- **proved**: a :class:`Check` of kind "proved", a predicate that sympy decides for every value of the
  free symbols (an identity, a limit, a solution of an equation) from the stated assumptions;
- **assumed**: ``cited``, results taken from the literature or from standard linear algebra, each with its
  citation, and the assumptions that define the setting;
- **checked**: a :class:`Check` of kind "checked" (sympy on finitely many instances: r = 1..4, l <= 7)
  and the numeric check, which compares the statement with exact small-lattice figures from :mod:`numeric`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class Step:
    """One step of a derivation: what it does, in words, and the sympy expression it produces."""

    text: str
    expression: sympy.Basic


@dataclass(frozen=True)
class Check:
    """A named predicate sympy evaluates: "proved" (for all values of its symbols) or "checked" (instances)."""

    name: str
    predicate: Callable[[], bool]
    kind: str


class SetSize(sympy.Symbol):
    """|X|, the number of elements of a set X: a symbol printed ``|X|`` as text and ``\\left|X\\right|`` in LaTeX.

    A plain ``Symbol("|U_A|")`` would print as ``|U_{A|}`` (sympy reads everything after the underscore as
    the subscript), which does not compile to the intended formula.
    """

    def __new__(cls, set_name: str, **assumptions):
        return super().__new__(cls, f"|{set_name}|", **assumptions)

    def __getnewargs_ex__(self):
        return (self.name[1:-1],), self.assumptions0

    LATEX_NAMES = {"dA": r"\partial A"}
    """Set names typeset differently: dA, the boundary of A, is \\partial A."""

    def _latex(self, printer) -> str:
        name = self.name[1:-1]
        return r"\left|" + self.LATEX_NAMES.get(name, printer._print(sympy.Symbol(name))) + r"\right|"


def proved(name: str, predicate: Callable[[], bool]) -> Check:
    return Check(name, predicate, "proved")


def checked(name: str, predicate: Callable[[], bool]) -> Check:
    return Check(name, predicate, "checked")


@dataclass(frozen=True)
class SymbolicCheck:
    """Outcome of verify_symbolic: each named check, whether sympy confirmed it, and its kind."""

    outcomes: tuple[tuple[str, bool], ...]
    kinds: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(ok for _, ok in self.outcomes)

    def of_kind(self, kind: str) -> list[tuple[str, bool]]:
        return [outcome for outcome, k in zip(self.outcomes, self.kinds) if k == kind]


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
    checks: tuple[Check, ...]
    numeric: Callable[..., NumericCheck]
    cited: tuple[tuple[str, str], ...] = ()
    remark: str = ""

    def verify_symbolic(self) -> SymbolicCheck:
        """Run every named sympy check; a check that raises counts as failed (and says why)."""
        outcomes = []
        for check in self.checks:
            try:
                outcomes.append((check.name, bool(check.predicate())))
            except (TypeError, ValueError, NotImplementedError) as error:
                outcomes.append((f"{check.name} (sympy could not decide: {error})", False))
        return SymbolicCheck(tuple(outcomes), tuple(check.kind for check in self.checks))

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
            "statement_latex": [_latex(s) for s in self.statement],
            "steps": [{"text": s.text, "expression": str(s.expression)} for s in self.steps],
            "remark": self.remark,
            "proved": [{"statement": n, "passed": ok} for n, ok in symbolic.of_kind("proved")],
            "assumed": [{"statement": statement, "citation": citation} for statement, citation in self.cited],
            "checked": [{"statement": n, "passed": ok} for n, ok in symbolic.of_kind("checked")]
            + [{"statement": numeric.summary, "passed": numeric.passed}],
            "symbolic": {
                "passed": symbolic.passed,
                "checks": [
                    {"name": n, "passed": ok, "kind": kind} for (n, ok), kind in zip(symbolic.outcomes, symbolic.kinds)
                ],
            },
            "numeric": {
                "passed": numeric.passed,
                "summary": numeric.summary,
                "headers": list(numeric.headers),
                "rows": [list(row) for row in numeric.rows],
                "row_passed": list(numeric.row_passed),
                "figures": numeric.figures,
            },
            "latex": self.latex(symbolic, numeric),
        }

    def latex(self, symbolic: SymbolicCheck | None = None, numeric: NumericCheck | None = None) -> str:
        """A LaTeX subsection: assumptions, statement and derivation (formulas by sympy's printer)."""
        lines = [rf"\subsection{{{latex_text(self.title)}}}", r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        lines += [rf"  \item {latex_text(a)}" for a in self.assumptions]
        lines += [r"\end{itemize}", r"\paragraph{Statement.}", r"\begin{gather*}"]
        lines.append(" \\\\\n".join(_latex(s) for s in self.statement))
        lines += [r"\end{gather*}", r"\paragraph{Derivation.}", r"\begin{enumerate}"]
        for step in self.steps:
            lines.append(rf"  \item {latex_text(step.text)}: \[{_latex(step.expression)}\]")
        lines.append(r"\end{enumerate}")
        if self.remark:
            lines += [r"\paragraph{Precise version.}", latex_text(self.remark)]
        if self.cited:
            lines += [r"\paragraph{Assumed (cited, not proved here).}", r"\begin{itemize}"]
            lines += [
                rf"  \item {latex_text(statement)} ({latex_text(citation)})" for statement, citation in self.cited
            ]
            lines.append(r"\end{itemize}")
        if symbolic is not None:
            for kind, title in (
                ("proved", "Proved by sympy for all values of the symbols"),
                ("checked", "Checked by sympy on finitely many instances"),
            ):
                outcomes = symbolic.of_kind(kind)
                if outcomes:
                    verdict = "passed" if all(ok for _, ok in outcomes) else "FAILED"
                    lines += [rf"\paragraph{{{title}: {verdict}.}}", r"\begin{itemize}"]
                    lines += [
                        rf"  \item {latex_text(name)}: {'confirmed' if ok else 'not confirmed'}"
                        for name, ok in outcomes
                    ]
                    lines.append(r"\end{itemize}")
        if numeric is not None:
            verdict = "passed" if numeric.passed else "FAILED"
            lines += [rf"\paragraph{{Checked numerically: {verdict}.}}", latex_text(numeric.summary)]
        return "\n".join(lines) + "\n"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def _latex(expression: sympy.Basic) -> str:
    """sympy's LaTeX with the paper's notation: ln for the natural logarithm."""
    return sympy.latex(expression, ln_notation=True)


_INLINE_MATH = re.compile(r"(\$[^$]+\$)")


def latex_text(text: str) -> str:
    """Escape plain text for LaTeX, keeping inline math as written: "at most $\\ln D$ nats" keeps
    ``$\\ln D$`` and escapes the rest (a lone ``$`` is escaped). Prose marks its math this way so that the
    report typesets it (and Markdown viewers render the same ``$...$``)."""
    return "".join(
        part if index % 2 else "".join(_LATEX_SPECIALS.get(c, c) for c in part)
        for index, part in enumerate(_INLINE_MATH.split(text))
    )


_PLAIN = [
    (r"\\operatorname\{(\w+)\}", r"\1"),
    (r"\\text\{([^}]*)\}", r"\1"),
    (r"\\sqrt\{([^}]*)\}", r"sqrt(\1)"),
    (r"\^\{([^}]*)\}", r"^(\1)"),
    (r"_\{([^}]*)\}", r"_\1"),
    (r"\\log_2", "log2"),
    (r"\\partial A", "dA"),
    (r"\\lceil\s*", "ceil("),
    (r"\s*\\rceil", ")"),
    (r"\\le\b", "<="),
    (r"\\ge\b", ">="),
    (r"\\to\b", "->"),
    (r"\\infty\b", "oo"),
    (r"\\times\b", "x"),
    (r"\\pm\s*", "+-"),
    (r"\\dots\b", "..."),
    (r"\\bmod\b", "mod"),
    (r"\\in\b", "in"),
    (r"\\,", " "),
    (r"\\(\w+)", r"\1"),
]


def plain_text(text: str) -> str:
    """The same text for a terminal: inline math ($...$) unwrapped and its commands spelt in ASCII
    ($D = D_0^{1/n_c}$ -> D = D_0^(1/n_c), $\\le$ -> <=, $\\ln D$ -> ln D)."""

    def unwrap(match: re.Match) -> str:
        math = match.group(0)[1:-1]
        for pattern, replacement in _PLAIN:
            math = re.sub(pattern, replacement, math)
        return math

    return _INLINE_MATH.sub(unwrap, text)


def is_zero(expression: sympy.Basic) -> bool:
    """True when sympy proves ``expression`` identically zero (simplify, then expand)."""
    return sympy.simplify(expression) == 0 or sympy.expand(sympy.simplify(expression)) == 0


def all_true(values: Sequence[bool]) -> bool:
    """all(), but False for an empty sequence: a check over no cases has checked nothing."""
    return bool(values) and all(values)
