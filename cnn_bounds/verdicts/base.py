"""What every verdict module shares: the rule that turns comparisons into a verdict, and the LaTeX pieces
its report section is made of (tables, figures, the verdict line), every number printed through a
:class:`Quoter` so that a test can find it in results.json.

A verdict module (volume_law, subvolume, renyi2_squares, min_cut, channel_scaling, trained_cnns) holds what
its claim measures, ``verdict(results)`` (how the verdict is decided from the numbers), ``section(results,
q)`` (its report section) and ``figures(results)`` (its figures); the driver runs them in order
(cnn_bounds.driver.report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from proofs.result import latex_text

HOLDS, PRECISE, FAILS, NOT_TESTED = "holds", "holds with the stated precise assumptions", "does not hold", "not tested"
MIN_NON_VACUOUS = 20
"""A claim with fewer comparisons that could have failed is "not tested", whatever else."""


def lookup(data, path: str):
    """The value at a dotted path ('fits.3.exponent') in nested dicts and lists."""
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@dataclass
class Quoter:
    """Formats numbers from the results for the report, recording each (path -> value, text)."""

    results: dict
    quoted: dict = field(default_factory=dict)

    def __call__(self, path: str, style: str = "{:.3g}") -> str:
        value = lookup(self.results, path)
        text = "--" if value is None else (style.format(value) if not isinstance(value, str) else breakable(value))
        self.quoted[path] = {"value": value, "text": text}
        return text


def breakable(text: str) -> str:
    """Plain text for LaTeX with a line break allowed after each comma or colon not followed by a space, so a
    function spec (count-threshold:size=2,threshold=balanced) wraps in a narrow column; text with math as is."""
    escaped = latex_text(text)
    return escaped if "$" in text else re.sub(r"([,:])(?=\S)", r"\1\\allowbreak{}", escaped)


def decide(claim: str, holds: bool, because: str, comparisons: int, non_vacuous: int, precise: bool = False) -> dict:
    """One verdict: "not tested" below MIN_NON_VACUOUS comparisons that could have failed, whatever else;
    otherwise "holds" (or "holds with the stated precise assumptions" when ``precise``) if ``holds``, else
    "does not hold"."""
    if non_vacuous < MIN_NON_VACUOUS:
        verdict = NOT_TESTED
        because += f"; only {non_vacuous} comparisons could have failed (at least {MIN_NON_VACUOUS} are needed)"
    else:
        verdict = (PRECISE if precise else HOLDS) if holds else FAILS
    return {
        "claim": claim,
        "verdict": verdict,
        "because": because,
        "comparisons": int(comparisons),
        "non_vacuous": int(non_vacuous),
    }


def table(
    columns: str, headers: list[str], rows: list[list[str]], widths: tuple[float, ...] = (), size: str = r"\small"
) -> str:
    """A booktabs table; with X columns (text that wraps) a tabularx as wide as the text, its X columns
    ragged-right and sharing the width in the proportions ``widths`` (equal by default), so the other columns
    keep their content's width."""
    wide = "X" in columns
    if wide:
        weights = widths or (1.0,) * columns.count("X")
        shares = iter(w * len(weights) / sum(weights) for w in weights)  # tabularx needs them to average 1
        # "{}" ends the prefix: pandoc's reader otherwise takes the cell's first character as an argument
        spec = "".join(
            rf">{{\raggedright\arraybackslash\hsize={next(shares):.3f}\hsize{{}}}}X" if c == "X" else c for c in columns
        )
    begin = rf"\begin{{tabularx}}{{\linewidth}}{{{spec}}}" if wide else rf"\begin{{tabular}}{{{columns}}}"
    body = [
        r"\begin{center}",
        size,
        begin,
        r"\toprule",
        " & ".join(latex_text(h) for h in headers) + r" \\",
        r"\midrule",
    ]
    body += [" & ".join(row) + r" \\" for row in rows]
    return "\n".join(body + [r"\bottomrule", r"\end{tabularx}" if wide else r"\end{tabular}", r"\end{center}"]) + "\n"


def figure(stem: str, caption: str) -> str:
    """A figure; its file has no extension (pdflatex takes stem.pdf, the Markdown report stem.png), its width
    is the document's (report.tex sets 0.75 of the line with \\setkeys{Gin})."""
    return (
        "\n".join(
            [
                r"\begin{figure}",
                r"\centering",
                rf"\includegraphics{{{stem}}}",
                rf"\caption{{{latex_text(caption)}}}",
                r"\end{figure}",
            ]
        )
        + "\n"
    )


def verdict_line(q: Quoter, key: str) -> str:
    """The paragraph that closes a section: the verdict and what decided it."""
    return rf"\paragraph{{Verdict: {q(f'verdicts.{key}.verdict')}.}} {q(f'verdicts.{key}.because')}." + "\n"


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (None for one value), min and max; None when empty."""
    if not values:
        return {"mean": None, "sd": None, "min": None, "max": None, "n": 0}
    return {
        "mean": float(np.mean(values)),
        "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None,
        "min": float(np.min(values)),
        "max": float(np.max(values)),
        "n": len(values),
    }


def mean_sd_tex(q: Quoter, path: str) -> str:
    """$mean \\pm sd$ of a spread (:func:`spread`) at ``path``; the mean alone for one value."""
    spread = lookup(q.results, path)
    if spread is None or spread["mean"] is None:
        return "--"
    return (
        f"${q(path + '.mean', '{:.3f}')}" + ("" if spread["sd"] is None else rf" \pm {q(path + '.sd', '{:.3f}')}") + "$"
    )


__all__ = [
    "FAILS",
    "HOLDS",
    "MIN_NON_VACUOUS",
    "NOT_TESTED",
    "PRECISE",
    "Quoter",
    "breakable",
    "decide",
    "figure",
    "lookup",
    "mean_sd_tex",
    "spread",
    "table",
    "verdict_line",
]
