"""HTML safety of rendered texts: what is markup already and how parameters are escaped.

The bot sends messages with ``parse_mode=HTML``. Catalog templates may contain Telegram's tags
(<b>, <i>, <code>); everything substituted into them is escaped unless it is marked ``Raw``.
"""

from __future__ import annotations

import html


class Raw(str):
    """A string that is already valid Telegram HTML and must not be escaped again.

    ``t()`` returns its HTML texts as ``Raw``, so a rendered text can be passed straight into
    another text as a parameter without being escaped twice.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Raw({str.__repr__(self)})"


def escape(value: object) -> str:
    """Text for an HTML message: ``Raw`` as is, anything else escaped (&, <, >).

    Quotes are left alone: parameters only ever land in element content, never in attributes,
    and Telegram shows a literal quote fine (the same choice as aiogram's html quoting).
    """
    if isinstance(value, Raw):
        return str(value)
    return html.escape(str(value), quote=False)
