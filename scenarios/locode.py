"""UN/LOCODE location codes: 2-letter ISO 3166 country + 3 characters (letters, digits 2-9).

Written ``CNSHA`` or, as in the UN/LOCODE lists, ``CN SHA``; :func:`normalise_locode` gives
the 5-character form that DCSA schedules use (``UNLocationCode``).
"""

from __future__ import annotations

import re

__all__ = ["normalise_locode", "LOCODE_PATTERN"]

#: The 5-character form (DCSA ``UNLocationCode`` pattern).
LOCODE_PATTERN = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def normalise_locode(value: str) -> str:
    """``value`` as a 5-character UN/LOCODE (upper case, the space after the country
    removed); ValueError saying why it is not one."""
    if not isinstance(value, str):
        raise ValueError(f"expected a UN/LOCODE text, got {type(value).__name__}")
    text = value.strip().upper()
    if len(text) == 6 and text[2] == " ":
        text = text[:2] + text[3:]
    if not LOCODE_PATTERN.match(text):
        shown = value if len(value) <= 20 else value[:17] + "..."
        raise ValueError(f"{shown!r} is not a UN/LOCODE (2-letter country + 3 letters or "
                         "digits 2-9, e.g. CNSHA or 'CN SHA')")
    return text
