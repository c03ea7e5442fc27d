"""Register the client secret and bearer tokens with Airflow's secrets masker.

Masking makes Airflow redact the values from task logs even if some other library logs a request
with its headers or form; the hooks themselves never log them.
"""

from __future__ import annotations

from aspose_ocr_provider.compat import SUPERVISOR_LOCK, amask_secret, mask_secret


def mask(secret: str | None, name: str | None = None) -> None:
    """Masking tells the task supervisor too: a call that must take turns (see SUPERVISOR_LOCK)."""
    if secret:
        with SUPERVISOR_LOCK:
            mask_secret(secret, name)


async def amask(secret: str | None, name: str | None = None) -> None:
    """The async variant: inside a triggerer it must not block on the supervisor channel."""
    if not secret:
        return
    if amask_secret is not None:
        await amask_secret(secret, name)
    else:
        mask(secret, name)
