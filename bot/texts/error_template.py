"""Shape of one error entry in the errors_ru / errors_en catalogs."""

from __future__ import annotations

from dataclasses import dataclass

# One template or several: the first whose placeholders are all known from the context wins,
# so the last one of a tuple should need nothing but what explain_error always supplies.
Variants = str | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ErrorTemplate:
    """Texts of one error (HTML templates, str.format placeholders filled from the context).

    A base entry (key = mnemonic) sets all three fields. A refinement (key =
    ``mnemonic@selector``, e.g. ``invalid_state@make.call`` or ``limit_exceeded@day``) may leave
    a field as None to keep the base entry's text.
    """

    title: str | None = None
    explanation: Variants | None = None
    action: Variants | None = None
