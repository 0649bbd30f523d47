"""validate() and insert_dataframe(), on every backend."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import datajoint_sa as dj


@pytest.fixture
def sample(schema):
    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int16
        ---
        kind : enum('soil', 'water')
        depth = null : float64
        taken : date
        """

    return Sample


def test_validate_reports_every_problem_without_inserting(sample):
    rows = [
        {"sample_id": 1, "kind": "soil", "taken": "2024-01-01"},
        {"sample_id": 2, "kind": "lava", "taken": "2024-01-02"},
        {"sample_id": 70000, "kind": "soil", "taken": "not a date"},
        {"kind": "water", "taken": "2024-01-03", "colour": "blue"},
    ]
    result = sample.validate(rows)
    assert not result and not result.is_valid and result.rows_checked == 4
    problems = {(row, attribute) for row, attribute, _ in result.errors}
    assert problems == {(1, "kind"), (2, "sample_id"), (2, "taken"), (3, "colour"), (3, "sample_id")}
    assert "Validation failed: 5 error(s) in 4 rows" in result.summary()
    with pytest.raises(dj.DataJointError, match="kind"):
        result.raise_if_invalid()
    assert len(sample()) == 0


def test_validate_accepts_good_rows_and_ignores_extra_fields_on_request(sample):
    rows = [(1, "soil", None, datetime.date(2024, 1, 1)), (2, "water", 1.5, "2024-02-01")]
    assert sample.validate(rows).is_valid
    assert sample.validate([{"sample_id": 3, "kind": "soil", "taken": "2024-01-01", "x": 1}],
                           ignore_extra_fields=True)
    bad_shape = sample.validate([(1, "soil")])
    assert not bad_shape and "Incorrect number of attributes" in bad_shape.errors[0][2]


def test_insert_dataframe_round_trips_to_pandas(sample):
    sample.insert([(1, "soil", 0.5, "2024-01-01"), (2, "water", None, "2024-01-02")])
    frame = sample.to_pandas()
    assert list(frame.index.names) == ["sample_id"]
    frame["depth"] = [2.0, 3.0]
    frame.index = frame.index + 10
    sample.insert_dataframe(frame)
    assert [r["depth"] for r in (sample & "sample_id > 10").to_dicts(order_by="KEY")] == [2.0, 3.0]


def test_insert_dataframe_index_handling(sample):
    frame = pd.DataFrame({"sample_id": [5], "kind": ["soil"], "taken": ["2024-03-01"]}, index=[99])
    sample.insert_dataframe(frame)  # an unnamed index is dropped
    assert sample.keys() == [{"sample_id": 5}]
    wrong = pd.DataFrame({"kind": ["soil"], "taken": ["2024-03-01"]}, index=pd.Index([6], name="other"))
    with pytest.raises(dj.DataJointError, match="primary key"):
        sample.insert_dataframe(wrong, index_as_pk=True)
