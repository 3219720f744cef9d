"""An event's id is the uuid5 of its aggregate and version: written out by hand for speed, it must stay
exactly that, or a republished event would no longer deduplicate against its first copy."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from schemas.envelopes import EVENT_ID_NAMESPACE, event_id


@given(st.uuids(), st.integers(min_value=1, max_value=2**31 - 1))
def test_the_event_id_is_the_uuid5_of_aggregate_and_version(aggregate_id, version):
    assert event_id(aggregate_id, version) == str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{aggregate_id}/{version}"))
