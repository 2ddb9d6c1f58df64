"""Every text renders exactly as the stored snapshot says (see snapshot_texts.py)."""

from __future__ import annotations

import json

from snapshot_texts import SNAPSHOT_PATH, cases, run_case


def test_every_text_renders_as_in_the_snapshot() -> None:
    stored = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    mismatches = []
    for case in stored:
        expected = case.pop("output")
        actual = run_case(case)
        if actual != expected:
            mismatches.append((case, expected, actual))
    assert not mismatches[:5], f"{len(mismatches)} texts differ from the snapshot"


def test_the_snapshot_covers_every_case() -> None:
    stored = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    for case in stored:
        del case["output"]
    assert stored == cases()
