"""Header text read off a scan, matched to the names a person declared for their columns.

OCR gets headers almost right: ``TOTAL:`` for ``Total``, ``Am0unt`` or ``Amout`` for
``Amount``, ``Unit  price`` for ``Unit Price``. Matching compares a key that ignores case,
spacing and punctuation, reads digits that look like letters as those letters, and then allows
a small edit distance that grows with the length of the word, so short headers never match
by accident (``Qty`` is not ``Qtr``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "|": "l", "5": "s", "$": "s", "8": "b"})
_NOT_ALNUM = re.compile(r"[^\w]+|_+", re.UNICODE)


def header_key(text: str | None) -> str:
    """``" TOTAL: "`` -> ``"total"``; ``"Am0unt"`` -> ``"amount"``; spacing and punctuation dropped.

    Digits become the letters they resemble only inside words that hold letters, so ``2025``
    stays ``2025`` while ``Am0unt`` reads as ``amount``.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    words = [w for w in _NOT_ALNUM.split(text) if w]
    return "".join(w.translate(_LOOKALIKES) if any(c.isalpha() for c in w) else w for w in words)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_slips(key: str) -> int:
    """Edits tolerated for a key of this length: none up to 3 characters, 1 up to 7, then 2."""
    return 0 if len(key) <= 3 else 1 if len(key) <= 7 else 2


def match_score(header: str | None, aliases: Sequence[str]) -> int | None:
    """Edits between ``header`` and its closest alias, or None when none is close enough."""
    key = header_key(header)
    if not key:
        return None
    best: int | None = None
    for alias in aliases:
        target = header_key(alias)
        if not target:
            continue
        limit = allowed_slips(target)
        found = 0 if key == target else edit_distance(key, target, limit)
        if found <= limit and (best is None or found < best):
            best = found
    return best


def match_headers(headers: Sequence[str | None], aliases: Mapping[str, Sequence[str]]) -> dict[int, str]:
    """``{position of a header: the column it is}`` for every header that matches one column.

    Closest pairs are taken first, and each column takes one header: when two headers read as
    the same column, the closer one wins and the other stays unmatched (it is reported, never
    merged). Ties between two columns for one header leave it unmatched too: a guess would load
    values into the wrong column.
    """
    candidates: list[tuple[int, int, str]] = []
    for position, header in enumerate(headers):
        scores = {name: match_score(header, names) for name, names in aliases.items()}
        found = {name: score for name, score in scores.items() if score is not None}
        if not found:
            continue
        best = min(found.values())
        winners = [name for name, score in found.items() if score == best]
        if len(winners) == 1:
            candidates.append((best, position, winners[0]))
    matched: dict[int, str] = {}
    taken: set[str] = set()
    for _, position, name in sorted(candidates):
        if name not in taken:
            matched[position] = name
            taken.add(name)
    return matched
