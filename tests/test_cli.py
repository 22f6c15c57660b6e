"""The cnn-bounds command line: output formats, bounds, and one-line errors with exit status 2."""

import itertools
import json
import math
import tempfile
from contextlib import chdir
from unittest import mock

import click
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_bounds.driver.cli import main
from numeric.catalog import CATALOG


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_entropy_json_agrees_with_an_independent_svd_on_every_default_region():
    result = run("entropy", "--shape", "4x4", "--function", "pattern-present", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    regions = report["regions"]
    assert {r["region"] for r in regions} >= {"cols<1", "cols<2", "cols<3", "rows<1", "rows<2", "rows<3"}
    assert all(r["size"] <= 8 for r in regions if r["region"].startswith("rect"))
    # The oracle: "some 2x2 window all ones", written here from its definition, and numpy's SVD of the
    # Schmidt matrix (A's pixels as rows, in the package's pixel order), independent of the engine.
    images = np.array(list(itertools.product((0, 1), repeat=16))).reshape(-1, 4, 4)
    windows = images[:, :-1, :-1] & images[:, 1:, :-1] & images[:, :-1, 1:] & images[:, 1:, 1:]
    values = windows.reshape(len(images), -1).any(axis=1).astype(float)
    for r in regions:
        rest = [p for p in range(16) if p not in r["pixels"]]
        matrix = values.reshape((2,) * 16).transpose(r["pixels"] + rest).reshape(2 ** len(r["pixels"]), -1)
        sigma = np.linalg.svd(matrix, compute_uv=False)
        p = sigma[sigma > 1e-12 * sigma[0]] ** 2 / np.sum(sigma**2)
        assert r["entropy"] == pytest.approx(float(-np.sum(p * np.log(p))), abs=1e-10)
        assert r["schmidt_rank"] == len(p)
        assert r["error_bound"] < 1e-8


def test_entropy_table_for_named_regions():
    result = run(
        "entropy",
        "--shape",
        "3x2",
        "--levels",
        "3",
        "--function",
        "far-apart",
        "--region",
        "cols:1",
        "--region",
        "pixels:0,5",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "far-apart (01 labels) on the 3x2 lattice, 3 levels" in lines[0] and "dense engine" in lines[0]
    for line, expected in zip(
        lines[3:5], (["cols<1", "2", "2", f"{math.log(3):.4f}"], ["pixels{0,5}", "2", "4", "0.0000"])
    ):
        label, size, bonds, value, bound, rank = line.split()[:6]
        assert [label, size, bonds, value] == expected
        assert float(bound) < 1e-10
        assert rank == ("3" if label == "cols<1" else "1")


def test_entropy_in_float32_reports_a_bound_that_covers_the_float64_value():
    args = ["entropy", "--shape", "4x3", "--function", "random-gaussian", "--json", "--no-rank"]
    double, single = (json.loads(run(*args, "--precision", p).output) for p in ("float64", "float32"))
    assert single["precision"] == "float32"
    for d, s in zip(double["regions"], single["regions"]):
        assert d["schmidt_rank"] is None
        assert 1e-6 < s["error_bound"] < 0.05
        assert abs(d["entropy"] - s["entropy"]) <= s["error_bound"] + d["error_bound"]


@pytest.mark.parametrize(
    "command, args, message",
    [
        ("entropy", ["--shape", "4by4"], "is not WIDTHxHEIGHT"),
        ("entropy", ["--levels", "1"], "levels must be at least 2"),
        ("entropy", ["--function", "cats"], "unknown function 'cats'"),
        ("entropy", ["--seed", "-1", "--function", "product"], "-1 is not in the range x>=0"),
        ("squares", ["--seed", "-3"], "-3 is not in the range x>=0"),
        ("entropy", ["--region", "cols:7"], "does not fit in the 4x4 lattice"),
        ("entropy", ["--region", "pixels:1,1"], "repeats pixels"),
        ("entropy", ["--region", "diagonal"], "is not one of cols:K"),
        ("entropy", ["--shape", "8x5", "--method", "dense"], "needs about 8.0 TiB, more than the memory limit"),
        ("entropy", ["--shape", "8x5", "--function", "parity"], "needs about 8.0 TiB, more than the memory limit"),
        ("entropy", ["--function", "parity", "--method", "tn"], "covers local-feature targets"),
        ("entropy", ["--function", "random-gaussian", "--labels", "pm1"], "is not 0/1-valued"),
        ("entropy", ["--method", "tn", "--precision", "float32"], "computes in float64"),
        ("entropy", ["--alpha", "-2"], "alpha must be >= 0"),
        ("entropy", ["--alpha", "0", "--no-rank"], "drop --no-rank"),
        ("entropy", ["--precision", "float16"], "'float16' is not one of"),
        ("learnt", ["--data", "cifar"], "'cifar' is not one of"),
        ("learnt", ["--levels", "40"], "levels must be an integer from 2 to 17"),
        ("learnt", ["--pool", "3"], "pool must be a positive divisor"),
        ("learnt", ["--region", "rows:9"], "does not fit"),
        ("learnt", ["--class", "10"], "class must be an integer from 0 to 9"),
        ("learnt", ["--threshold", "2"], "strictly between 0 and 1"),
        ("learnt", ["--depth", "0"], "depth must be a positive integer"),
        ("learnt", ["--seeds", "0"], "--seeds must be at least 1"),
        (
            "learnt",
            ["--pool", "2", "--scheduler", "tcp://127.0.0.1:9"],
            "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'",
        ),
        ("learnt", ["--pool", "2", "--scheduler", "nonsense://x"], "cannot reach a Dask scheduler"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(command, args, message):
    result = run(command, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_every_subcommand_has_help():
    for command in main.commands:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_learnt_json_on_pooled_digits(tmp_path):
    result = run(
        "learnt",
        "--pool",
        "2",
        "--channels",
        "2",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--output",
        "logit",
        "--region",
        "cols:1",
        "--samples",
        "200",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summaries"][0]
    assert summary["learnt"]["n"] == 1 and summary["not_reported"] == 0
    assert 0 <= summary["learnt"]["mean"] < summary["ceiling"]
    assert json.loads((tmp_path / "results.json").read_text())["class"] == 0
    fragment = (tmp_path / "learnt.tex").read_text()
    assert r"\begin{tabular}" in fragment and f"{summary['learnt']['mean']:.3f}" in fragment


def test_learnt_without_measuring_gives_accuracy_and_channels_needed_per_depth():
    args = [
        "learnt",
        "--pool",
        "2",
        "--depth",
        "1",
        "--depth",
        "2",
        "--channels",
        "1",
        "--channels",
        "2",
        "--seeds",
        "2",
        "--epochs",
        "1",
        "--no-measure",
        "--json",
    ]
    low, high = json.loads(run(*args, "--goal", "0.01").output), json.loads(run(*args, "--goal", "1").output)
    assert low["channels_needed"] == {"1": 1, "2": 1}
    assert high["channels_needed"] == {"1": None, "2": None}  # 1 epoch on 4x4 digits is far from perfect
    assert [a["accuracy"]["n"] for a in low["accuracies"]] == [2, 2, 2, 2] and low["summaries"] == []


# Every bad argument of every command: one line, exit status 2, never a traceback.
NUMBERS = st.one_of(
    st.integers(-3, 5), st.sampled_from([0, -1, 10**19, -(10**19)]), st.floats(allow_nan=True, allow_infinity=True)
).map(str)
SHAPES = st.one_of(
    st.builds("{}x{}".format, st.integers(-1, 4), st.integers(-1, 4)), st.sampled_from(["4", "x", "4x4x4", "axb", ""])
)  # 40x40 is refused, but after a minute
FUNCTIONS = st.builds(
    lambda name, settings: name + (":" + ",".join(settings) if settings else ""),
    st.sampled_from(list(CATALOG) + ["no-such-function"]),
    st.lists(
        st.builds(
            "{}={}".format,
            st.sampled_from(["size", "threshold", "xi", "seed", "k", "x"]),
            st.one_of(NUMBERS, st.text(max_size=3)),
        ),
        max_size=3,
    ),
)
REGIONS = st.one_of(
    st.builds(
        "{}:{}".format,
        st.sampled_from(["cols", "rows", "rect", "pixels", "square"]),
        st.lists(st.integers(-3, 40).map(str), max_size=5).map(",".join),
    ),
    st.text(max_size=6),
)
CHEAP = {  # commands that run in seconds on lattices this small, so any argument list may run them
    "entropy": {
        "--shape": SHAPES,
        "--levels": NUMBERS,
        "--function": FUNCTIONS,
        "--region": REGIONS,
        "--alpha": NUMBERS,
        "--method": st.sampled_from(["dense", "tn", "auto", "svd"]),
        "--labels": st.sampled_from(["01", "pm1"]),
        "--seed": NUMBERS,
        "--no-rank": None,
    },
    "mincut": {
        "--shape": SHAPES,
        "--levels": NUMBERS,
        "--depth": NUMBERS,
        "--channels": NUMBERS,
        "--kernel": NUMBERS,
        "--tree": None,
        "--unshared": None,
        "--region": REGIONS,
        "--readout": st.sampled_from(["global", "local"]),
        "--no-measure": None,
    },
}


def assert_one_line_or_success(result):
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the bug this test is for
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(CHEAP)), st.data())
def test_any_arguments_of_the_cheap_commands_run_or_give_one_line(command, data):
    options = CHEAP[command]
    arguments = [command]
    for name in data.draw(st.lists(st.sampled_from(sorted(options)), max_size=5)):
        arguments += [name] if options[name] is None else [name, data.draw(options[name])]
    if "--no-measure" not in arguments and command == "mincut":
        arguments.append("--no-measure")  # measuring ranks of random ConvACs takes longer
    assert_one_line_or_success(run(*arguments, "--json"))


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(main.commands)), st.data())
def test_an_argument_that_cannot_parse_gives_one_line_for_every_command(command, data):
    """Any command with any of its options (random values), plus one argument that cannot parse: an unknown
    option, a value that is not of its option's type or choices, or an option missing its value. Parsing
    fails before the command runs, so this covers the long commands too."""
    parameters = [p for p in main.commands[command].params if isinstance(p, click.Option) and p.name != "help"]
    arguments = [command]
    for option in data.draw(st.lists(st.sampled_from(parameters), max_size=4)):
        arguments += [option.opts[0]] if option.is_flag else [option.opts[0], data.draw(NUMBERS | REGIONS)]
    typed = [
        p
        for p in parameters
        if not p.is_flag and (isinstance(p.type, click.Choice) or p.type in (click.INT, click.FLOAT))
    ]
    kind = data.draw(st.sampled_from(["unknown", "typed", "missing"] if typed else ["unknown", "missing"]))
    if kind == "unknown":
        bad = [data.draw(st.sampled_from(["--no-such-option", "-Z", "--shap"]))]
    elif kind == "typed":
        bad = [data.draw(st.sampled_from(typed)).opts[0], "not-a-value"]
        arguments, bad = arguments + bad, []  # click keeps an option's last value only, so the bad one comes last
    else:
        bad = [data.draw(st.sampled_from([p for p in parameters if not p.is_flag] or parameters)).opts[0]]
        arguments, bad = arguments + bad, []  # an option with no value must come last
    at = data.draw(st.integers(1, len(arguments)))
    arguments[at:at] = bad

    def parsed_anyway(**values):
        raise AssertionError(f"{arguments} parsed into {values}")

    with (
        mock.patch.object(main.commands[command], "callback", parsed_anyway),
        tempfile.TemporaryDirectory() as scratch,
        chdir(scratch),
    ):
        result = CliRunner().invoke(main, arguments)
    assert_one_line_or_success(result)
    assert result.exit_code == 2, result.output


BAD_OUTPUTS = [
    ("reproduce", "--out", "{file}/x"),
    ("train-sweep", "--out", "{file}/x"),
    ("convac-sweep", "--out", "{file}"),
    ("derive", "--latex", "{file}/x/y.tex"),
    ("derive", "--latex", "{folder}"),
    ("learnt", "--no-measure", "--out", "{file}/nope"),
    ("learnt-convac", "--out", "{file}"),
    ("trained-widths", "--out", "{file}/x"),
]


@pytest.mark.parametrize("arguments", BAD_OUTPUTS, ids=lambda a: " ".join(a[:2]))
def test_a_bad_output_path_is_one_line_and_exit_2_before_any_work(arguments, tmp_path):
    """Every --out and --latex is checked when the command line is parsed, before the command's body (here a
    stub that fails if called) starts any work."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = [a.format(file=blocker, folder=tmp_path) for a in arguments]
    with mock.patch.object(main.commands[args[0]], "callback", side_effect=AssertionError("the command started")):
        result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "--help" in lines[0], result.output
    assert "Traceback" not in result.output


def test_a_good_output_folder_is_created_when_the_command_starts(tmp_path):
    target = tmp_path / "new" / "deeper"
    with mock.patch.object(main.commands["train-sweep"], "callback", return_value=None):
        result = run("train-sweep", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert target.is_dir() and not any(target.iterdir())


def test_a_hopeless_automaton_is_refused_while_it_is_still_small():
    """40x40 images: the automaton of a straight cut would pass the memory limit after millions of states;
    its growth is projected and refused at tens of thousands (in well under a second of automaton work)."""
    result = run("entropy", "--shape", "40x40")
    assert result.exit_code == 2
    assert "on course for about" in result.output and "states after" in result.output, result.output
    states = int(result.output.split("projected from its ")[1].split(" states")[0])
    assert states < 100_000


def test_a_converged_cross_with_a_held_out_error_reports_no_entropy(monkeypatch):
    """Convergence is decided on sampled searches; an interpolant that held-out images find wrong (as happens
    on 7x7 "some 3x3 window all ones") gets no entropy, whatever its search said."""
    from cnn_bounds.driver import cli
    from numeric.tci import SampledError

    wrong = SampledError(samples=10, max_error=1.0, rms_error=0.3, rms_value=0.5, scale=1.0)
    monkeypatch.setattr(cli, "validate", lambda *args, **kwargs: {"uniform": wrong})
    output = run("entropy", "--shape", "4x3", "--function", "pattern-present", "--method", "tci", "--json").output
    for region in json.loads(output)["regions"]:
        assert region["converged"] and not region["validated"] and region["entropy"] is None


def test_entropy_by_cross_interpolation_equals_the_dense_engine_and_reports_its_cost():
    by_tci = json.loads(
        run("entropy", "--shape", "4x3", "--function", "pattern-present", "--method", "tci", "--json").output
    )
    dense = json.loads(
        run("entropy", "--shape", "4x3", "--function", "pattern-present", "--method", "dense", "--json").output
    )
    exact = {r["region"]: r for r in dense["regions"]}
    assert len(by_tci["regions"]) == 5  # the straight cuts
    for region in by_tci["regions"]:
        assert region["converged"] and region["validated"] and region["values_of_f"] > 0
        assert region["replica_converged"] and region["replica_difference"] <= 1e-9
        assert abs(region["entropy"] - exact[region["region"]]["entropy"]) <= 1e-9
        assert region["bond_dimension"] == exact[region["region"]]["schmidt_rank"]
        assert max(region["validation_max_error"].values()) <= 1e-9
    table = run("entropy", "--shape", "4x3", "--function", "pattern-present", "--method", "tci", "--region", "cols:2")
    assert table.exit_code == 0 and "cols<2" in table.output and "0.952315" in table.output
