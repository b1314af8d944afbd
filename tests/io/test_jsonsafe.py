"""One rule for values JSON cannot hold."""

import datetime
import decimal
import json

import numpy as np
import pyarrow as pa

from maskaug.io.jsonsafe import dumps, unsupported


def test_standard_json_only():
    line = dumps({"a": float("nan"), "b": [float("inf"), -float("inf"), 1.5], "c": {"d": np.float32(2.5)},
                  "e": np.int64(3), "t": "line\u2028sep"})
    assert json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c))) == {
        "a": None, "b": [None, None, 1.5], "c": {"d": 2.5}, "e": 3, "t": "line\u2028sep"}
    assert "\u2028" in line  # text is kept as is, not escaped


def test_dates_and_decimals_as_iso_strings_and_digits():
    assert json.loads(dumps({"t": datetime.datetime(2024, 1, 2, 3, 4, 5), "d": datetime.date(2024, 1, 2),
                             "x": decimal.Decimal("1.10")})) == {"t": "2024-01-02T03:04:05", "d": "2024-01-02",
                                                                 "x": "1.10"}


def test_types_that_cannot_pass_through_are_named():
    assert "binary" in unsupported(pa.binary())
    assert "durations" in unsupported(pa.list_(pa.duration("s")))
    assert unsupported(pa.struct([("a", pa.string()), ("b", pa.list_(pa.int32()))])) is None
    assert unsupported(pa.timestamp("us")) is None and unsupported(pa.decimal128(5, 2)) is None
