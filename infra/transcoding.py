"""Stored event states as JSON, written and read with orjson.

The bytes mean exactly what eventsourcing's `JSONTranscoder` writes: UUIDs, decimals, dates and
datetimes become `{"_type_": name, "_data_": text}` through the same registered transcodings.
Only the engine differs: the library's encoder calls back into Python for every such value and
its decoder for every object, which was a sixth of a collections sweep's CPU.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

# Dates and dataclasses go through `default`, as with the library: orjson would otherwise write
# them its own way, and a dataclass would be stored as a plain object.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
_PLAIN = (str, int, bool, float, type(None))


class OrjsonTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._tag(obj), default=self._encode_obj, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        return self._untag(orjson.loads(data))

    def _tag(self, obj: Any) -> Any:
        """UUIDs wrapped before orjson sees them: it would write them natively, not as `uuid_hex`."""
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is dict:
            return {key: self._tag(value) for key, value in obj.items()}
        if kind is list or kind is tuple:
            return [self._tag(value) for value in obj]
        transcoding = self.types.get(kind)
        if transcoding is None:
            return obj  # orjson writes it natively, or hands it to `default`, which refuses it
        return {"_type_": transcoding.name, "_data_": self._tag(transcoding.encode(obj))}

    def _untag(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is dict:
            if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
                transcoding = self.names.get(obj["_type_"])
                if transcoding is None:
                    raise TranscodingNotRegisteredError(f"Data serialized with name '{obj['_type_']}' is not deserializable")
                return transcoding.decode(self._untag(obj["_data_"]))
            return {key: self._untag(value) for key, value in obj.items()}
        if kind is list:
            return [self._untag(value) for value in obj]
        return obj
