"""The collector set-up the bot process runs with."""

from __future__ import annotations

import gc

from bot.app import GC_YOUNG_THRESHOLD, tune_garbage_collector


def test_start_up_objects_are_frozen_and_young_collections_are_rarer() -> None:
    threshold = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0  # the modules and models built so far
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, threshold[1], threshold[2])
        garbage: list[object] = [[] for _ in range(10)]
        garbage.append(garbage)  # a cycle: still collected
        del garbage
        assert gc.collect() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
