"""What a whole number typed into a form or sent as JSON may look like: its one home (the web's
parameter readers and the services' range checks both read numbers through it)."""
from __future__ import annotations

import re

MAX_DIGITS = 30  # past any limit here; int() of thousands of digits is slow (and refused past 4,300)
# ASCII digits only: int() alone also reads "1_0" (as 10), "٣" (as 3) and " 7\n".
_UNSIGNED = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_SIGNED = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}")


def parse_whole(raw: object, *, signed: bool = False) -> int | None:
    """``raw`` as an int if it is one (not a bool) or the text of one (surrounding blanks allowed),
    else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and (_SIGNED if signed else _UNSIGNED).fullmatch(raw.strip()):
        return int(raw)
    return None
