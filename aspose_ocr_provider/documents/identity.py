"""The identity of an input: what "the same image" means for skipping, loading and replacing.

A path is not an identity: a file can be rewritten in place, copied, or read through another URI.
The bytes are: an input is the SHA-256 of its document's bytes plus a 1-based page number (1 for
a plain single-page image; multi-page documents give each page its own identity with the same
digest). The submit step records it, the load step writes it into the ``_source_sha256`` and
``_source_page`` provenance columns, and the incremental check compares it with what a warehouse
table already holds. One definition here, so all three mean the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, order=True)
class InputIdentity:
    """One input: the SHA-256 (lowercase hex) of its document's bytes and its 1-based page.

    :param sha256: digest of the whole document's bytes, as ``hashlib.sha256(data).hexdigest()``.
    :param page: page number within the document; 1 for a single-page image.
    """

    sha256: str
    page: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.sha256, str) or not self.sha256:
            raise ValueError(f"An input identity needs the sha256 of its bytes, got {self.sha256!r}.")
        if isinstance(self.page, bool) or not isinstance(self.page, int) or self.page < 1:
            raise ValueError(f"An input's page is a 1-based integer, got {self.page!r}.")

    @classmethod
    def from_values(cls, sha256: Any, page: Any = None) -> InputIdentity | None:
        """The identity in a submit record or a warehouse row, or None when it carries none.

        Records written before pages existed have no ``page``: they are page 1. A page read back
        from a database may come as text or a float (SQLite affinity, drivers).
        """
        if sha256 is None or (isinstance(sha256, str) and not sha256.strip()):
            return None
        if page is None or (isinstance(page, str) and not page.strip()):
            number = 1
        else:
            try:
                number = int(float(page))
            except (TypeError, ValueError):
                raise ValueError(f"Page {page!r} of input {sha256} is not a page number.") from None
        return cls(str(sha256).strip().lower(), number)

    @property
    def is_sha256(self) -> bool:
        """Whether the digest looks like a SHA-256 (hand-written records may carry anything)."""
        return bool(_SHA256.match(self.sha256))

    def __str__(self) -> str:
        return f"{self.sha256[:12]}..p{self.page}"


def submission_record(
    source: str, task_id: str, identity: InputIdentity, submitted_at: str
) -> dict[str, Any]:
    """The submit operator's XCom record for one input (key ``submissions``).

    :param source: where the input came from (path, URI, or a name for raw bytes).
    :param task_id: the Aspose.OCR task id that recognises it.
    :param identity: its digest and page.
    :param submitted_at: ISO-8601 UTC time of the POST (of the earlier try's POST when reused).
    """
    return {
        "source": source,
        "task_id": task_id,
        "sha256": identity.sha256,
        "page": identity.page,
        "submitted_at": submitted_at,
    }
