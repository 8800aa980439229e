from __future__ import annotations

import ledger


def test_meeting_then_reply_is_live_and_two_way(book: ledger.Ledger) -> None:
    book.add_person("ada", "Ada Lovelace")
    book.add_person("charles", "Charles Babbage")
    book.record("meeting", "ada", "charles", "1833-06-05T19:00:00+00:00")
    book.record("message", "charles", "ada", "1833-06-07T09:00:00+00:00")
    view = book.pair("charles", "ada", as_of="1833-07-01T00:00:00+00:00")
    assert view is not None
    assert (view.a, view.b) == ("ada", "charles")
    assert view.level is ledger.DepthLevel.LIVE
    assert (view.reciprocity.a_to_b, view.reciprocity.b_to_a) == (1, 1)
    assert book.pair("ada", "charles", as_of="1833-06-01T00:00:00+00:00") is None
