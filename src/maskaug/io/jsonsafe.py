"""One rule for values that JSON cannot hold, used by every writer and by the partial file.

- NaN and ±Infinity have no JSON form: they are written as ``null``.
- dates, times and timestamps are written as ISO 8601 strings, decimals as their exact digits (a string);
  Parquet and datasets outputs cast those back to the input column's Arrow type.
- NumPy scalars become Python numbers.
- bytes and durations are refused by column name before any work (``unsupported``).
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
from typing import Any


def _default(v: Any) -> Any:
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):  # numpy scalars
        try:
            return v.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(v, "tolist"):  # numpy arrays
        return v.tolist()
    raise TypeError(f"{type(v).__name__} values cannot be written as JSON")


def _finite(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    if not isinstance(v, (str, int, bool)) and v is not None:
        try:
            return _finite(_default(v))
        except TypeError:
            return v
    return v


def dumps(obj: Any) -> str:
    """Standard JSON (no NaN, no Infinity), UTF-8 text kept as is."""
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=_default)
    except ValueError:  # a non-finite number somewhere
        return json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False, default=_default)


def jsonable(v: Any) -> Any:
    """``v`` as plain JSON values (what ``dumps`` writes)."""
    return json.loads(dumps(v))


def unsupported(arrow_type) -> str | None:
    """Why a column of this Arrow type cannot pass through maskaug, or None when it can."""
    import pyarrow as pa

    t = arrow_type
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "holds binary data, which JSON cannot hold"
    if pa.types.is_duration(t) or pa.types.is_interval(t):
        return "holds durations, which maskaug does not convert"
    if pa.types.is_dictionary(t):
        return unsupported(t.value_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return unsupported(t.value_type)
    if pa.types.is_struct(t):
        return next((r for r in (unsupported(t.field(i).type) for i in range(t.num_fields)) if r), None)
    if pa.types.is_map(t):
        return unsupported(t.key_type) or unsupported(t.item_type)
    return None
