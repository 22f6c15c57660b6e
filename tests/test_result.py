"""proofs.result: how a result's checks are run, kept apart by kind, and written as data and LaTeX."""

import sympy

from proofs.result import NumericCheck, Result, Step, all_true, checked, is_zero, latex_text, proved

x = sympy.symbols("x", positive=True)
y = sympy.symbols("y")


def _undecidable():
    raise NotImplementedError("no algorithm")


def _toy(numeric_rows=((1, 2),), numeric_passed=(True,), remark="a remark", cited=(("a cited fact", "A & B, 2001"),)):
    numeric = NumericCheck(
        headers=("a", "b"),
        rows=numeric_rows,
        row_passed=numeric_passed,
        summary="1 of 1 rows: 100%",
        figures={"comparisons": 1},
    )
    return Result(
        key="toy",
        title="Toy_result",
        assumptions=("x > 0",),
        statement=(sympy.Le(y, 2 * y),),
        steps=(Step("double it", 2 * x),),
        checks=(
            proved("x <= 2x", lambda: is_zero(sympy.Max(x, 2 * x) - 2 * x)),
            checked("x = 1 is a root of x - 1", lambda: (x - 1).subs(x, 1) == 0),
            proved("undecidable", _undecidable),
        ),
        numeric=lambda **options: numeric,
        cited=cited,
        remark=remark,
    )


def test_checks_are_run_by_kind_and_an_undecidable_one_fails_and_says_why():
    symbolic = _toy().verify_symbolic()
    assert symbolic.outcomes == (
        ("x <= 2x", True),
        ("x = 1 is a root of x - 1", True),
        ("undecidable (sympy could not decide: no algorithm)", False),
    )
    assert symbolic.kinds == ("proved", "checked", "proved") and not symbolic.passed
    assert symbolic.of_kind("checked") == [("x = 1 is a root of x - 1", True)]


def test_a_numeric_check_over_no_rows_has_checked_nothing():
    assert not _toy(numeric_rows=(), numeric_passed=()).check_numeric().passed
    assert not _toy(numeric_passed=(False,)).check_numeric().passed and _toy().check_numeric().passed
    assert all_true([True]) and not all_true([]) and not all_true([True, False])


def test_the_record_keeps_proved_assumed_and_checked_apart():
    result = _toy()
    symbolic, numeric = result.verify_symbolic(), result.check_numeric(full=True, seed=3)
    record = result.record(symbolic, numeric)
    assert {
        k: record[k] for k in ("key", "title", "assumptions", "statement", "statement_latex", "steps", "remark")
    } == {
        "key": "toy",
        "title": "Toy_result",
        "assumptions": ["x > 0"],
        "statement": ["y <= 2*y"],
        "statement_latex": [r"y \leq 2 y"],
        "steps": [{"text": "double it", "expression": "2*x"}],
        "remark": "a remark",
    }
    assert record["proved"] == [
        {"statement": "x <= 2x", "passed": True},
        {"statement": "undecidable (sympy could not decide: no algorithm)", "passed": False},
    ]
    assert record["assumed"] == [{"statement": "a cited fact", "citation": "A & B, 2001"}]
    assert record["checked"] == [
        {"statement": "x = 1 is a root of x - 1", "passed": True},
        {"statement": "1 of 1 rows: 100%", "passed": True},
    ]
    assert record["symbolic"] == {
        "passed": False,
        "checks": [
            {"name": "x <= 2x", "passed": True, "kind": "proved"},
            {"name": "x = 1 is a root of x - 1", "passed": True, "kind": "checked"},
            {"name": "undecidable (sympy could not decide: no algorithm)", "passed": False, "kind": "proved"},
        ],
    }
    assert record["numeric"] == {
        "passed": True,
        "summary": "1 of 1 rows: 100%",
        "headers": ["a", "b"],
        "rows": [[1, 2]],
        "row_passed": [True],
        "figures": {"comparisons": 1},
    }
    assert record["latex"] == result.latex(symbolic, numeric)


def test_the_latex_subsection_escapes_text_and_prints_formulas_with_sympy():
    result = _toy()
    assert (
        result.latex(result.verify_symbolic(), result.check_numeric())
        == "\n".join(
            [
                r"\subsection{Toy\_result}",
                r"\paragraph{Assumptions.}",
                r"\begin{itemize}",
                r"  \item x \textgreater{} 0",
                r"\end{itemize}",
                r"\paragraph{Statement.}",
                r"\begin{gather*}",
                r"y \leq 2 y",
                r"\end{gather*}",
                r"\paragraph{Derivation.}",
                r"\begin{enumerate}",
                r"  \item double it: \[2 x\]",
                r"\end{enumerate}",
                r"\paragraph{Precise version.}",
                "a remark",
                r"\paragraph{Assumed (cited, not proved here).}",
                r"\begin{itemize}",
                r"  \item a cited fact (A \& B, 2001)",
                r"\end{itemize}",
                r"\paragraph{Proved by sympy for all values of the symbols: FAILED.}",
                r"\begin{itemize}",
                r"  \item x \textless{}= 2x: confirmed",
                r"  \item undecidable (sympy could not decide: no algorithm): not confirmed",
                r"\end{itemize}",
                r"\paragraph{Checked by sympy on finitely many instances: passed.}",
                r"\begin{itemize}",
                r"  \item x = 1 is a root of x - 1: confirmed",
                r"\end{itemize}",
                r"\paragraph{Checked numerically: passed.}",
                r"1 of 1 rows: 100\%",
            ]
        )
        + "\n"
    )
    bare = _toy(remark="", cited=()).latex()
    assert "Precise version" not in bare and "Assumed" not in bare and "Checked" not in bare and "Proved" not in bare
    failing = _toy(numeric_passed=(False,))
    assert r"\paragraph{Checked numerically: FAILED.}" in failing.latex(numeric=failing.check_numeric())


def test_every_latex_special_character_is_escaped():
    assert latex_text(r"\&%$#_{}~^<>|a") == (
        r"\textbackslash{}\&\%\$\#\_\{\}\textasciitilde{}\textasciicircum{}"
        r"\textless{}\textgreater{}\textbar{}a"
    )


def test_inline_math_is_kept_and_the_text_around_it_escaped():
    assert latex_text(r"S_A at most $\ln D$ & $D_0^{1/n_c}$; 5% costs $3") == (
        r"S\_A at most $\ln D$ \& $D_0^{1/n_c}$; 5\% costs \$3"
    )
