"""URL converters for path parameters, and how the OpenAPI document describes them."""
from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter

ROW_ID_MAX = 2**63 - 1  # a BIGINT


class RowIdConverter(IntegerConverter):
    """`<row_id:name>`: a non-negative integer that fits a BIGINT. A larger one names no row: the route does
    not match (404) instead of overflowing the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(map, *args, **kwargs)


def row_id_schema(converter: RowIdConverter) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}


class HexIdConverter(BaseConverter):
    """`<hex_id:name>`: an id the system made (app.db.models.types.new_id, 32 hex digits). A word is no id:
    /alerts/evaluate names the evaluation only, not also an alert "evaluate"."""

    regex = "[0-9a-f]{32}"


def hex_id_schema(converter: HexIdConverter) -> dict:
    return {"type": "string", "pattern": f"^{converter.regex}$"}
