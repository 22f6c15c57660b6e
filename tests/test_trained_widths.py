"""The trained-width sweep: the ladder's climb, the exponent's interval, and the ConvAC pooling head."""

import math

import pytest
import torch

from cnn_bounds.networks.convac_classifier import ConvACClassifier, class_convac, tree_spec
from cnn_bounds.networks.data import load
from cnn_bounds.verdicts import trained_widths
from cnn_bounds.verdicts.trained_widths import CONVAC, RELU, exponent_interval, summary, width_sweep
from numeric import InvalidInputError, Lattice


def _climbed(ladder, accuracies):
    return [
        {"channels": width, "accuracy": {"mean": a, "sd": None}, "parameters": 10 * width}
        for width, a in zip(ladder, accuracies)
    ]


def test_summary_takes_the_rung_reached_and_the_interval_below_it():
    ladder = (2, 3, 4, 6, 8)
    reached = summary(RELU, 2, _climbed(ladder, [0.5, 0.7, 0.95]), ladder)
    assert (reached["channels"], reached["width_low"], reached["width_high"], reached["parameters"]) == (4, 4, 4, 40)
    first = summary(RELU, 2, _climbed(ladder, [0.95]), ladder)
    assert (first["width_low"], first["width_high"]) == (1, 2)
    missed = summary(RELU, 1, _climbed(ladder, [0.5, 0.7, 0.8, 0.6, 0.85]), ladder)
    assert not missed["reached"] and missed["channels"] is None and missed["width_low"] == 9
    assert (missed["best_channels"], missed["best_accuracy"]["mean"]) == (8, 0.85)


def test_the_exponent_interval_brackets_every_ratio_the_widths_allow():
    ladder = (2, 4, 8, 16, 32, 64)
    shallow = summary(RELU, 1, _climbed(ladder, [0.1, 0.2, 0.3, 0.4, 0.95]), ladder)  # D_1 in 17..32
    deep = summary(RELU, 2, _climbed(ladder, [0.1, 0.95]), ladder)  # D_2 in 3..4
    interval = exponent_interval(shallow, deep)
    ratios = [math.log(d2) / math.log(d1) for d1 in range(17, 33) for d2 in (3, 4)]
    assert interval["exponent_low"] == pytest.approx(min(ratios))
    assert interval["exponent_high"] == pytest.approx(max(ratios))
    assert interval["paper_inside"] is False  # 1/2 is above ln 4 / ln 17 = 0.489
    unreached = summary(RELU, 1, _climbed(ladder, [0.1] * 6), ladder)  # D_1 > 64: an upper bound only
    bound = exponent_interval(unreached, deep)
    assert bound["exponent_low"] is None and bound["exponent_high"] == pytest.approx(math.log(4) / math.log(65))
    assert bound["paper_inside"] is None  # a bound alone is not compared
    assert exponent_interval(shallow, shallow)["exponent_low"] is None  # n_c = 1 has no exponent


def test_the_sweep_stops_each_depth_at_the_goal(monkeypatch):
    settings = {"families": {RELU: (1, 2), CONVAC: (3,)}, "ladder": (2, 4), "seeds": 1}
    epochs = {RELU: 1, CONVAC: 1}
    monkeypatch.setattr(trained_widths, "GOAL", 0.0)  # every first rung reaches it
    result = width_sweep(settings=settings, epochs=epochs)
    assert [r["channels"] for r in result["rows"]] == [2, 2, 2]
    assert result["trainings"] == 3 and all(s["reached"] for s in result["summaries"])
    monkeypatch.setattr(trained_widths, "GOAL", 1.01)  # none does: every rung is climbed
    result = width_sweep(settings=settings, epochs=epochs)
    assert sorted(r["channels"] for r in result["rows"]) == [2, 2, 2, 4, 4, 4]
    assert not any(s["reached"] for s in result["summaries"]) and result["cheapest"] == []
    assert 0.8 < result["baseline"]["mean"] < 1


def test_the_mean_head_is_the_product_head_at_one_final_position_and_not_a_convac_elsewhere():
    images = torch.as_tensor(load("digits", 2, 1).images[:50], dtype=torch.int64)
    spec = tree_spec(Lattice(8, 8), 4, 3)
    product, mean = ConvACClassifier(spec, 0), ConvACClassifier(spec, 0, head="mean")
    assert torch.equal(product(images), mean(images))
    several = ConvACClassifier(tree_spec(Lattice(8, 8), 4, 2), 0, head="mean")
    assert not torch.allclose(several(images), ConvACClassifier(several.spec, 0)(images))
    with pytest.raises(InvalidInputError, match="not a ConvAC"):
        class_convac(several, 0)
    with pytest.raises(InvalidInputError, match="head must be"):
        ConvACClassifier(spec, 0, head="max")
