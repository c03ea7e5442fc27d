"""Column names from OCR header text: SQL-safe, unique, and traceable to what the image said.

Header cells are untrusted text read off a scan: they may hold quotes, semicolons, brackets or
nothing at all. Names are made predictable here; they are *also* always quoted by the writer, so
safety never depends on this cleaning alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL truncates identifiers at 63 bytes (MySQL: 64 characters); stay under both."""

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_UNDERSCORES = re.compile(r"_+")
_SYMBOL_WORDS = {"$": " usd ", "€": " eur ", "£": " gbp ", "¥": " jpy ", "₹": " inr ", "%": " pct ", "#": " no "}
"""Symbols that carry meaning in a header, spelled out so ``Amount ($)`` and ``Amount`` get different
names: a name then depends on its own header text only, never on which other headers share the table."""
_SYMBOLS = re.compile("|".join(map(re.escape, _SYMBOL_WORDS)))


def _truncate_bytes(name: str, limit: int = MAX_IDENTIFIER_BYTES) -> str:
    encoded = name.encode("utf-8")
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode("utf-8", errors="ignore")


def snake_case(text: str) -> str:
    """``"Unit Price ($)"`` -> ``"unit_price_usd"``; letters of any script are kept, currency and
    ``%``/``#`` become words, the rest become ``_``."""
    text = unicodedata.normalize("NFKC", text).replace("\x00", "").strip()
    text = _SYMBOLS.sub(lambda m: _SYMBOL_WORDS[m.group(0)], text)
    text = _CAMEL_BOUNDARY.sub("_", text)
    text = _NOT_WORD.sub("_", text.lower())
    return _UNDERSCORES.sub("_", text).strip("_")


def sql_safe_name(text: str | None, position: int) -> str:
    """A snake_case name for one header cell; ``col_<position>`` (1-based) when nothing is left."""
    name = snake_case(text or "")
    if not name:
        return f"col_{position}"
    if name[0].isdigit():
        name = f"col_{name}"
    return _truncate_bytes(name)


def raw_name(text: str | None, position: int) -> str:
    """The header text itself (trimmed, NUL removed), for ``sanitize_names=False``."""
    name = unicodedata.normalize("NFC", (text or "").replace("\x00", "")).strip()
    return _truncate_bytes(name) if name else f"col_{position}"


def make_unique(names: Sequence[str], reserved: Iterable[str] = ()) -> list[str]:
    """Suffix ``_2``, ``_3``... to repeats, comparing case-insensitively as most databases do."""
    taken = {name.casefold() for name in reserved}
    out: list[str] = []
    for name in names:
        candidate = name
        counter = 2
        while candidate.casefold() in taken:
            suffix = f"_{counter}"
            candidate = _truncate_bytes(name, MAX_IDENTIFIER_BYTES - len(suffix)) + suffix
            counter += 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def sql_safe_names(
    headers: Sequence[str | None], *, reserved: Iterable[str] = (), sanitize: bool = True
) -> tuple[list[str], dict[str, str]]:
    """Unique column names for ``headers`` and a mapping ``{column name: original header text}``.

    :param headers: header cells as read from the image (None or empty for a blank cell).
    :param reserved: names already in use (for example the provenance columns); clashes are suffixed.
    :param sanitize: snake_case the names (default); with False the header text is kept as is
        (still unique and quoted on every use).
    """
    make = sql_safe_name if sanitize else raw_name
    names = make_unique([make(text, i) for i, text in enumerate(headers, start=1)], reserved)
    return names, {name: (text or "") for name, text in zip(names, headers, strict=False)}
