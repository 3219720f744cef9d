"""Stored event states written as JSON with orjson.

The bytes mean exactly what eventsourcing's `JSONTranscoder` writes: UUIDs, decimals, dates and
datetimes become `{"_type_": name, "_data_": text}` through the same registered transcodings, and
the library's decoder reads them. Only the encoder differs: the library's calls back into Python
for every such value. Decoding stays the library's: an orjson parse followed by a walk in Python
to unwrap the values measured no faster (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder

# Dates and dataclasses go through `default`, as with the library: orjson would otherwise write
# them its own way, and a dataclass would be stored as a plain object.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_PLAIN = (str, int, bool, float, type(None))


class OrjsonTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._tag(obj), default=self._encode_obj, option=_OPTIONS)

    def _tag(self, obj: Any) -> Any:
        """UUIDs wrapped before orjson sees them: it would write them natively, not as `uuid_hex`."""
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is dict:
            return {key: value if type(value) in _PLAIN else self._tag(value) for key, value in obj.items()}
        if kind is list or kind is tuple:
            return [value if type(value) in _PLAIN else self._tag(value) for value in obj]
        transcoding = self.types.get(kind)
        if transcoding is None:
            return obj  # orjson writes it natively, or hands it to `default`, which refuses it
        return {"_type_": transcoding.name, "_data_": self._tag(transcoding.encode(obj))}
