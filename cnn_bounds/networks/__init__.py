"""Networks as functions of images: ConvACs (exact tensor networks) and their min cuts, ReLU CNNs, classifiers
of real digits and the images they learn from."""

from cnn_bounds.networks.classifier import (
    CLASSES,
    OUTPUTS,
    Architecture,
    ClassDecision,
    class_decision,
    class_function,
    train_classifier,
)
from cnn_bounds.networks.convac import (
    ConvAC,
    ConvACSpec,
    all_images,
    batched_function,
    convac_mps,
    evaluate_on_all_images,
    tree_order,
)
from cnn_bounds.networks.convac_classifier import CONVAC_HEADS, ConvACClassifier, class_convac, train_convac, tree_spec
from cnn_bounds.networks.data import DATASETS, ImageSet, load, split
from cnn_bounds.networks.mincut import MinCut, min_cut, tensor_network
from cnn_bounds.networks.relu_cnn import HEADS, ReluCNN

__all__ = [
    "CLASSES",
    "CONVAC_HEADS",
    "DATASETS",
    "HEADS",
    "OUTPUTS",
    "Architecture",
    "ClassDecision",
    "ConvAC",
    "ConvACClassifier",
    "ConvACSpec",
    "ImageSet",
    "MinCut",
    "ReluCNN",
    "all_images",
    "batched_function",
    "class_convac",
    "class_decision",
    "class_function",
    "convac_mps",
    "evaluate_on_all_images",
    "load",
    "min_cut",
    "split",
    "tensor_network",
    "train_classifier",
    "train_convac",
    "tree_order",
    "tree_spec",
]
