"""Telnyx token budgets shared past one process: reserve before sending, settle with the usage.
It imports only the foundation (``_constants``); the ``redis`` package only in :mod:`.redis_backend`.

:class:`TokenBudget` is the one object users hold; :mod:`.window` is the algorithm (rolling
windows in time slots), run in memory (:mod:`.local_backend`) or in Redis (:mod:`.redis_backend`).
"""

from telnyx_inference.budget.budget import Limits, Reservation, TokenBudget
from telnyx_inference.budget.window import COUNTERS, TooLarge

__all__ = ["COUNTERS", "Limits", "Reservation", "TokenBudget", "TooLarge"]
