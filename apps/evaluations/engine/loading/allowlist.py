"""The server-side allowlist of types a .skops file may construct.

skops itself trusts plain containers, numpy arrays and scikit-learn's estimators; for the
other types a file names, Qualiti decides here, never from the file. The list covers what
fitted scikit-learn models commonly hold (tree structures, histogram-gradient-boosting
predictors, neighbour trees, random states, scipy sparse matrices) and a few pure numpy
functions used in FunctionTransformer. Operators extend it with `extra` type names.
"""

from functools import cache

_SKLEARN_INTERNALS = (
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.MinkowskiDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.loss.HalfSquaredError",
    "sklearn._loss.loss.AbsoluteError",
    "sklearn._loss.loss.PinballLoss",
    "sklearn._loss.loss.HalfPoissonLoss",
    "sklearn._loss.loss.HuberLoss",
    "sklearn._loss.loss.ExponentialLoss",
    "sklearn._loss.link.IdentityLink",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.LogLink",
    "sklearn._loss.link.Interval",
    "sklearn.utils._bunch.Bunch",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.utils.validation.check_array",
    "sklearn.preprocessing._encoders._BaseEncoder",
)
_NUMPY_AND_SCIPY = (
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.ma.core.MaskedArray",
    "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pcg64.PCG64",
    "numpy.random._generator.Generator",
    "numpy.random.bit_generator.SeedSequence",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csc.csc_matrix",
    "scipy.sparse._coo.coo_matrix",
    "scipy.sparse._csr.csr_array",
    "scipy.sparse._csc.csc_array",
    "scipy.sparse._coo.coo_array",
    "collections.OrderedDict",
    "collections.defaultdict",
    "builtins.slice",
    "functools.partial",  # its function must itself be trusted
)
_PURE_FUNCTIONS = tuple(
    f"numpy.{name}"
    for name in (
        "log",
        "log1p",
        "log2",
        "log10",
        "exp",
        "expm1",
        "sqrt",
        "square",
        "abs",
        "absolute",
        "sign",
        "clip",
        "tanh",
        "arcsinh",
        "reciprocal",
        "float32",
        "float64",
        "int64",
        "int32",
        "bool_",
        "str_",
        "object_",
        "nan_to_num",
        "asarray",
    )
)


@cache
def _sklearn_estimators() -> frozenset[str]:
    from sklearn.utils.discovery import all_estimators

    return frozenset(f"{cls.__module__}.{cls.__qualname__}" for _name, cls in all_estimators())


def trusted_skops_types(extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Every type name a .skops file may construct on this server."""
    return (
        _sklearn_estimators()
        | frozenset(_SKLEARN_INTERNALS)
        | frozenset(_NUMPY_AND_SCIPY)
        | frozenset(_PURE_FUNCTIONS)
        | frozenset(extra)
    )
