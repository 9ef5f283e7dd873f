"""Column values as text, counted before they become text: the same counts and codes as
a string made for every row."""

import numpy as np
import pandas as pd
import pytest

from apps.evaluations.engine.checks.inputs import first_seen_texts, text_value_counts

COLUMNS = {
    "python objects equal as values": pd.Series([True, 1, "1", 1.0, None, 1], dtype=object),
    "strings with gaps": pd.Series(["a", None, "b", "a"], dtype=object),
    "floats": pd.Series([1, 2, 2, None, 3.5]),
    "categories, one unused": pd.Series(
        pd.Categorical(["b", "a", None, "b"], categories=["z", "a", "b"])
    ),
    "categories 1 and '1'": pd.Series(pd.Categorical([1, "1", 2, 1], categories=[1, "1", 2])),
    "dates, one with a time": pd.Series(
        pd.to_datetime(["2020-01-01", "2020-01-01 10:00", None], format="mixed")
    ),
    "nullable booleans": pd.Series(pd.array([True, None, False, True], dtype="boolean")),
    "nothing": pd.Series([None, None], dtype=object),
}


@pytest.mark.parametrize("values", COLUMNS.values(), ids=COLUMNS.keys())
def test_counts_and_codes_are_those_of_a_string_per_row(values):
    as_text = values.astype("string")
    expected_codes, expected_texts = pd.factorize(as_text)

    counts = text_value_counts(values)
    texts, codes = first_seen_texts(values)

    assert counts.to_dict() == as_text.value_counts().to_dict()
    assert list(counts.index) == list(as_text.value_counts().index)
    assert list(texts) == list(expected_texts)
    np.testing.assert_array_equal(codes, expected_codes)
