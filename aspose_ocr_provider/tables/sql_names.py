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


GENERATED_SEPARATOR = "__"
"""Joins a generated name's parts (``col__3``, ``amount__2``). :func:`snake_case` folds every run of
underscores into one, so no header text ever produces it: a generated name never takes the column
of a real header, in this table or in any table loaded before or after."""

_GENERATED_TAIL = re.compile(r"_{2,}(?=\d+$)")


def generated_name(base: str, number: int) -> str:
    """``<base>__<number>``, cut to the identifier limit without losing the number."""
    suffix = f"{GENERATED_SEPARATOR}{number}"
    return _truncate_bytes(base, MAX_IDENTIFIER_BYTES - len(suffix.encode())) + suffix


def unnamed_column(position: int) -> str:
    """The name of a column whose header is empty (or that has no header): ``col__<position>``."""
    return generated_name("col", position)


def sql_safe_name(text: str | None, position: int) -> str:
    """A snake_case name for one header cell; :func:`unnamed_column` when nothing is left."""
    name = snake_case(text or "")
    if not name:
        return unnamed_column(position)
    if name[0].isdigit():
        name = f"col_{name}"
    return _truncate_bytes(name)


def raw_name(text: str | None, position: int) -> str:
    """The header text itself (trimmed, NUL removed), for ``sanitize_names=False``.

    Text ending like a generated name (``qty__2``) keeps one underscore there (``qty_2``), so even
    verbatim names never take a generated name's column.
    """
    name = unicodedata.normalize("NFC", (text or "").replace("\x00", "")).strip()
    if not name:
        return unnamed_column(position)
    return _truncate_bytes(_GENERATED_TAIL.sub("_", name))


def make_unique(
    names: Sequence[str], reserved: Iterable[str] = (), texts: Sequence[str | None] = ()
) -> list[str]:
    """Names made unique, comparing case-insensitively as most databases do.

    Of several headers that give one name, the first in a fixed order keeps it and the others
    get ``<name>__2``, ``<name>__3``...: the order is by header text (``Amount`` before
    ``amount``), then by position for the same text, so one header text gets the same column in
    every image whatever the order of the columns. A name that a reserved name (a provenance
    column) holds is numbered from 2 too.

    :param texts: the header text of each name, None for an unnamed column (default: the names).
    """
    keys = list(texts) if texts else list(names)
    taken = {name.casefold() for name in reserved}
    # Unnamed columns first: their names are positional and stay as they are.
    order = sorted(
        range(len(names)), key=lambda i: (keys[i] is not None, names[i].casefold(), keys[i] or "", i)
    )
    out = [""] * len(names)
    for i in order:
        name = names[i]
        candidate = name
        counter = 2
        while candidate.casefold() in taken:
            candidate = generated_name(name, counter)
            counter += 1
        taken.add(candidate.casefold())
        out[i] = candidate
    return out


def sql_safe_names(
    headers: Sequence[str | None], *, reserved: Iterable[str] = (), sanitize: bool = True
) -> tuple[list[str], dict[str, str]]:
    """Unique column names for ``headers`` and a mapping ``{column name: original header text}``.

    Empty headers are named ``col__<position>``; repeated ones ``<name>__2``... (see
    :func:`make_unique`). Those forms hold a double underscore, which no header text produces.

    :param headers: header cells as read from the image (None or empty for a blank cell).
    :param reserved: names already in use (for example the provenance columns); clashes are numbered.
    :param sanitize: snake_case the names (default); with False the header text is kept as is
        (still unique and quoted on every use).
    """
    make = sql_safe_name if sanitize else raw_name
    made = [make(text, i) for i, text in enumerate(headers, start=1)]
    texts = [
        None if name == unnamed_column(i) else (text or "").strip()
        for i, (name, text) in enumerate(zip(made, headers, strict=True), start=1)
    ]
    names = make_unique(made, reserved, texts)
    return names, {name: (text or "") for name, text in zip(names, headers, strict=False)}
