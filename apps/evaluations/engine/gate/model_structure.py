"""A loaded scikit-learn model's own structures, checked before it predicts a row.

skops rebuilds a fitted tree from its arrays without asking whether a node's children or
feature lie inside the tree: a crafted file makes the compiled predict code read or jump
outside its memory. Every tree node's children must come after it and inside the tree
(which also rules out cycles), and its feature must be one the model has. Then the task
the model was fitted for is read from it.
"""

from collections.abc import Iterator
from typing import Any

import numpy as np

from apps.evaluations.engine.errors import ArtifactRefused

MAX_OBJECTS = 200_000  # objects visited looking for trees
_LEAF = -1


def refuse(reason: str) -> ArtifactRefused:
    return ArtifactRefused(f"This model was refused: {reason}")


def _objects(root: object) -> Iterator[tuple[object, object]]:
    """Each object reachable from the model through attributes, lists, tuples and dicts,
    with the object that holds it, each once."""
    seen: set[int] = set()
    pending: list[tuple[object, object]] = [(root, None)]
    while pending:
        item, owner = pending.pop()
        if id(item) in seen or isinstance(item, str | bytes | int | float | np.ndarray):
            continue
        seen.add(id(item))
        if len(seen) > MAX_OBJECTS:
            raise refuse(f"it holds more than {MAX_OBJECTS:,} objects.")
        yield item, owner
        if isinstance(item, dict):
            pending.extend((value, owner) for value in item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend((value, owner) for value in item)
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            pending.extend((value, item) for value in vars(item).values())


def _features_of(owner: object) -> int | None:
    for name in ("n_features_in_", "_n_features", "n_features_"):
        value = getattr(owner, name, None)
        if isinstance(value, int | np.integer):
            return int(value)
    return None


def tree_check(tree: Any, n_features: int | None) -> None:
    """A sklearn.tree._tree.Tree: children after their parent and inside the tree, both
    or neither; features within the model's."""
    # Any: scikit-learn ships no types, and the tree is a compiled (Cython) object.
    count = int(tree.node_count)
    left = np.asarray(tree.children_left, dtype=np.int64)
    right = np.asarray(tree.children_right, dtype=np.int64)
    feature = np.asarray(tree.feature, dtype=np.int64)
    if not (len(left) == len(right) == len(feature) == count >= 1):
        raise refuse("a decision tree's arrays do not match its node count.")
    if np.asarray(tree.value).shape[0] != count:
        raise refuse("a decision tree's values do not match its node count.")
    nodes = np.arange(count)
    leaf = left == _LEAF
    if np.any(leaf != (right == _LEAF)):
        raise refuse("a decision tree has a node with one child.")
    inner = ~leaf
    if np.any((left[inner] <= nodes[inner]) | (left[inner] >= count)) or np.any(
        (right[inner] <= nodes[inner]) | (right[inner] >= count)
    ):
        raise refuse("a decision tree has node indices outside the tree (a corrupt tree).")
    width = int(tree.n_features) if n_features is None else n_features
    if np.any((feature[inner] < 0) | (feature[inner] >= width)):
        raise refuse("a decision tree splits on a feature the model does not have.")


def predictor_check(predictor: Any, n_features: int | None) -> None:
    """A histogram-gradient-boosting TreePredictor: the same rules on its node records."""
    nodes = np.asarray(predictor.nodes)
    count = len(nodes)
    if count == 0:
        raise refuse("a boosted tree has no nodes.")
    indices = np.arange(count)
    inner = nodes["is_leaf"] == 0
    for side in ("left", "right"):
        child = nodes[side].astype(np.int64)
        if np.any((child[inner] <= indices[inner]) | (child[inner] >= count)):
            raise refuse("a boosted tree has node indices outside the tree (a corrupt tree).")
    feature = nodes["feature_idx"].astype(np.int64)
    if n_features is not None and np.any((feature[inner] < 0) | (feature[inner] >= n_features)):
        raise refuse("a boosted tree splits on a feature the model does not have.")
    categorical = inner & (nodes["is_categorical"] != 0)
    bitsets = len(np.asarray(predictor.raw_left_cat_bitsets))
    if np.any(nodes["bitset_idx"][categorical].astype(np.int64) >= bitsets):
        raise refuse("a boosted tree refers to a category set it does not have.")


def model_structure_check(model: object) -> None:
    """Every tree inside the model (forests, boosting, pipelines) is sound."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.tree._tree import Tree

    for item, owner in _objects(model):
        if isinstance(item, Tree):
            tree_check(item, _features_of(owner) if owner is not None else None)
        elif isinstance(item, TreePredictor):
            predictor_check(item, _features_of(owner) if owner is not None else None)


def model_task(model: object) -> tuple[str | None, list[Any] | None]:
    """binary, multiclass or regression, and the classes, as far as the model tells."""
    classes = getattr(model, "classes_", None)
    if classes is not None:
        labels = np.asarray(classes).tolist()
        return ("binary" if len(labels) == 2 else "multiclass"), labels
    from sklearn.base import is_classifier, is_regressor

    try:
        regressor = is_regressor(model) and not is_classifier(model)
    except (AttributeError, TypeError):  # not a scikit-learn estimator: it does not say
        return None, None
    return ("regression", None) if regressor else (None, None)
