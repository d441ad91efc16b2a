"""The rolling-window rules, on a clock the test holds."""

from __future__ import annotations

import pytest

from telnyx_inference.budget.window import SlotWindow, TooLarge

LIMITS = (1000, 500, 100)


def test_a_reservation_that_fits_every_counter_is_booked_now() -> None:
    w = SlotWindow(seconds=60, slots=60)
    grant = w.reserve(10.0, (300, 200, 40), LIMITS)
    assert (grant.slot, grant.wait) == (10, 0.0)
    assert w.totals(10.5) == (300, 200, 40)


def test_one_full_counter_holds_the_whole_request() -> None:
    w = SlotWindow(seconds=60, slots=60)
    assert w.reserve(0.0, (100, 100, 90), LIMITS).wait == 0.0
    later = w.reserve(5.0, (100, 100, 20), LIMITS)  # output would be 110 > 100 now
    assert later.slot is None, "too far ahead to book: ask again then"
    assert later.wait == pytest.approx(55.0)  # when the first slot leaves the window
    assert w.totals(5.0) == (100, 100, 90), "nothing counted on any counter"
    assert w.reserve(60.0, (100, 100, 20), LIMITS).slot == 60


def test_the_slot_is_when_enough_old_slots_have_left() -> None:
    w = SlotWindow(seconds=60, slots=60)
    w.reserve(0.0, (0, 0, 50), LIMITS)
    w.reserve(20.0, (0, 0, 40), LIMITS)
    grant = w.reserve(30.0, (0, 0, 55), LIMITS)
    assert grant.wait == pytest.approx(30.0)  # slot 0 covers [0, 1) and leaves at t=60


def test_the_slot_is_the_slowest_counters() -> None:
    w = SlotWindow(seconds=60, slots=60)
    w.reserve(0.0, (900, 0, 0), LIMITS)
    w.reserve(10.0, (0, 0, 90), LIMITS)
    grant = w.reserve(15.0, (200, 0, 20), LIMITS)
    assert grant.wait == pytest.approx(55.0)  # output's slot at t=10 leaves at t=70


def test_the_next_slot_is_booked_in_order_and_no_one_rushes_it() -> None:
    w = SlotWindow(seconds=10, slots=10)
    limits = (0, 0, 100)
    w.reserve(0.0, (0, 0, 40), limits)
    w.reserve(0.0, (0, 0, 40), limits)
    assert w.reserve(9.5, (0, 0, 40), limits).slot == 10, "free next slot: booked now"
    assert w.reserve(9.6, (0, 0, 40), limits).slot == 10
    late = w.reserve(9.7, (0, 0, 40), limits)
    assert late.slot is None, "that slot is full: no booking a window ahead"
    small = w.reserve(9.8, (0, 0, 1), limits)
    assert small.slot == 10, "a request that fits books behind the earlier ones, not before"


def test_a_request_larger_than_the_whole_window_can_never_fit() -> None:
    w = SlotWindow()
    with pytest.raises(TooLarge, match="101 output tokens"):
        w.reserve(0.0, (1, 1, 101), LIMITS)


def test_zero_means_no_limit() -> None:
    w = SlotWindow()
    assert w.reserve(0.0, (10**9, 10**9, 10**9), (0, 0, 0)).wait == 0.0


def test_wait_alone_books_nothing() -> None:
    w = SlotWindow()
    w.reserve(0.0, (0, 0, 90), LIMITS)
    assert w.wait(1.0, (0, 0, 20), LIMITS) == pytest.approx(59.0)
    assert w.totals(1.0) == (0, 0, 90)


def test_settle_replaces_the_guess_by_the_real_use_counted_from_now() -> None:
    w = SlotWindow()
    slot = w.reserve(0.0, (0, 0, 90), LIMITS).slot
    w.settle(1.0, slot, (0, 0, 90), (0, 0, 30))  # the answer used 30, not 90
    assert w.reserve(1.0, (0, 0, 20), LIMITS).wait == 0.0
    assert w.totals(1.0) == (0, 0, 50)
    assert w.totals(60.5) == (0, 0, 50), "the used 30 count from t=1, when they were counted"
    assert w.totals(61.0) == (0, 0, 0)


def test_settle_of_a_slot_already_out_of_the_window_only_adds_the_use() -> None:
    w = SlotWindow()
    slot = w.reserve(0.0, (0, 0, 10), LIMITS).slot
    w.settle(61.0, slot, (0, 0, 10), (0, 0, 7))
    assert w.totals(61.0) == (0, 0, 7)


def test_a_block_books_everything_after_the_reset() -> None:
    w = SlotWindow()
    w.block(0.0, 12.5)
    grant = w.reserve(2.5, (1, 1, 1), LIMITS)
    assert grant.slot is None
    assert grant.wait == pytest.approx(10.5)  # the first slot after the reset
    assert w.reserve(12.5, (1, 1, 1), LIMITS).slot == 12  # the reset reached: the slot it is in


def test_short_windows_keep_the_same_rules() -> None:
    w = SlotWindow(seconds=2.0, slots=20)  # 0.1 s slots
    w.reserve(0.05, (0, 0, 100), LIMITS)
    grant = w.reserve(1.0, (0, 0, 1), LIMITS)
    assert grant.wait == pytest.approx(1.0)
