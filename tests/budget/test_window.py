"""The rolling-window rules, on a clock the test holds."""

from __future__ import annotations

import pytest

from telnyx_inference.budget.window import SlotWindow, TooLarge

LIMITS = (1000, 500, 100)


def test_a_reservation_that_fits_every_counter_is_granted_and_counted() -> None:
    w = SlotWindow(seconds=60, slots=60)
    grant = w.reserve(10.0, (300, 200, 40), LIMITS)
    assert grant.granted
    assert grant.slot == 10
    assert w.totals(10.5) == (300, 200, 40)


def test_all_or_nothing_when_one_counter_is_full() -> None:
    w = SlotWindow(seconds=60, slots=60)
    assert w.reserve(0.0, (100, 100, 90), LIMITS).granted
    refused = w.reserve(5.0, (100, 100, 20), LIMITS)  # output would be 110 > 100
    assert not refused.granted
    assert w.totals(5.0) == (100, 100, 90), "a refused reservation adds nothing anywhere"


def test_the_wait_is_until_enough_old_slots_leave_the_window() -> None:
    w = SlotWindow(seconds=60, slots=60)
    w.reserve(0.0, (0, 0, 50), LIMITS)
    w.reserve(20.0, (0, 0, 40), LIMITS)
    # 95 does not fit until the slot at t=0 (50 tokens) leaves; 40 + 5... needs slot 0 gone
    refused = w.reserve(30.0, (0, 0, 55), LIMITS)
    assert refused.wait == pytest.approx(30.0)  # slot 0 covers [0, 1) and leaves at t=60
    assert w.reserve(60.0, (0, 0, 55), LIMITS).granted


def test_the_wait_takes_the_slowest_counter() -> None:
    w = SlotWindow(seconds=60, slots=60)
    w.reserve(0.0, (900, 0, 0), LIMITS)
    w.reserve(10.0, (0, 0, 90), LIMITS)
    refused = w.reserve(15.0, (200, 0, 20), LIMITS)
    assert refused.wait == pytest.approx(55.0)  # output's slot at t=10 leaves at t=70


def test_a_request_larger_than_the_whole_window_can_never_fit() -> None:
    w = SlotWindow()
    with pytest.raises(TooLarge, match="101 output tokens"):
        w.reserve(0.0, (1, 1, 101), LIMITS)


def test_zero_means_no_limit() -> None:
    w = SlotWindow()
    assert w.reserve(0.0, (10**9, 10**9, 10**9), (0, 0, 0)).granted


def test_settle_replaces_the_guess_by_the_real_use_counted_from_now() -> None:
    w = SlotWindow()
    slot = w.reserve(0.0, (0, 0, 90), LIMITS).slot
    assert slot is not None
    assert not w.reserve(1.0, (0, 0, 20), LIMITS).granted
    w.settle(1.0, slot, (0, 0, 90), (0, 0, 30))  # the answer used 30, not 90
    assert w.reserve(1.0, (0, 0, 20), LIMITS).granted
    assert w.totals(1.0) == (0, 0, 50)
    assert w.totals(60.5) == (0, 0, 50), "the used 30 count from t=1, when they were counted"
    assert w.totals(61.0) == (0, 0, 0)


def test_settle_of_a_slot_already_out_of_the_window_only_adds_the_use() -> None:
    w = SlotWindow()
    slot = w.reserve(0.0, (0, 0, 10), LIMITS).slot
    assert slot is not None
    w.settle(61.0, slot, (0, 0, 10), (0, 0, 7))
    assert w.totals(61.0) == (0, 0, 7)


def test_block_holds_every_reservation_until_the_reset() -> None:
    w = SlotWindow()
    w.block(0.0, 12.5)
    refused = w.reserve(2.5, (1, 1, 1), LIMITS)
    assert not refused.granted
    assert refused.wait == pytest.approx(10.0)
    assert w.reserve(12.5, (1, 1, 1), LIMITS).granted


def test_short_windows_keep_the_same_rules() -> None:
    w = SlotWindow(seconds=2.0, slots=20)  # 0.1 s slots
    w.reserve(0.05, (0, 0, 100), LIMITS)
    refused = w.reserve(1.0, (0, 0, 1), LIMITS)
    assert refused.wait == pytest.approx(1.0)
