"""eventsourcing's own transcoder test case, run against our orjson transcoder."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.tests import persistence as upstream
from eventsourcing.tests.persistence import (
    CustomType1AsDict,
    CustomType2AsDict,
    Mydict,
    MyInt,
    MyList,
    MyStr,
)

from ledger.store.transcoder import OrjsonTranscoder


class _Subclass(Transcoding):
    """Round-trips a subclass of a builtin through its builtin value."""

    def __init__(self, kind: type, name: str, plain: type) -> None:
        self.type = kind
        self.name = name
        self._plain = plain

    def encode(self, obj: Any) -> Any:
        return self._plain(obj)

    def decode(self, data: Any) -> Any:
        return self.type(data)


# Imported through its module so that pytest does not also collect the abstract base.
class TestOrjsonTranscoder(upstream.TranscoderTestCase):
    def construct_transcoder(self) -> Transcoder:
        transcoder = OrjsonTranscoder()
        for transcoding in (
            UUIDAsHex(),
            DecimalAsStr(),
            DatetimeAsISO(),
            CustomType1AsDict(),
            CustomType2AsDict(),
            _Subclass(Mydict, "mydict", dict),
            _Subclass(MyList, "mylist", list),
            _Subclass(MyStr, "mystr", str),
            _Subclass(MyInt, "myint", int),
        ):
            transcoder.register(transcoding)
        return transcoder


def test_stdlib_transcoder_reads_what_orjson_writes() -> None:
    """Stored events stay readable by eventsourcing's stdlib JSONTranscoder."""
    from datetime import UTC, datetime
    from uuid import uuid4

    ours, theirs = OrjsonTranscoder(), JSONTranscoder()
    for transcoder in (ours, theirs):
        transcoder.register(UUIDAsHex())
        transcoder.register(DatetimeAsISO())
    value = {"id": uuid4(), "at": datetime.now(UTC), "tags": ["a", "b"], "n": 1.5, "x": None}
    assert theirs.decode(ours.encode(value)) == value
    assert ours.decode(theirs.encode(value)) == value
