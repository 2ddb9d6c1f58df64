"""The check: every message, callback-query and error handler registered in the production
dispatcher was reached by some update fed in this tier.

Run last (conftest.py moves it to the end), and enforced only when the whole tier runs; when
tests were selected or deselected it skips, saying why. The handlers are listed from the
dispatcher itself (all routers, recursively), so a new handler without a fast test fails
here with its name.
"""

from __future__ import annotations

import pytest

from handlers.handler_kit import REACHED, Harness, registered_handlers, tier_run_reason


async def test_every_handler_is_reached_by_a_fast_test(
    h: Harness, request: pytest.FixtureRequest
) -> None:
    not_whole = tier_run_reason(request.config)
    if not_whole is not None:
        pytest.skip(f"not the whole fast tier ({not_whole}): handler coverage not checked")
    registered = registered_handlers(h.dispatcher)
    assert len(registered) > 10, registered  # the dispatcher's routers were found
    missing = sorted(registered - REACHED)
    assert not missing, "handlers no fast test reaches (add a test in tests/handlers):\n" + (
        "\n".join(f"  {name}" for name in missing)
    )
