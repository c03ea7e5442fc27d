"""Register the client secret and bearer tokens with Airflow's secrets masker.

Masking makes Airflow redact the values from task logs even if some other library logs a request
with its headers or form; the hooks themselves never log them.
"""

from __future__ import annotations

from aspose_ocr_provider.compat import amask_secret, mask_secret


def mask(secret: str | None, name: str | None = None) -> None:
    if secret:
        mask_secret(secret, name)


async def amask(secret: str | None, name: str | None = None) -> None:
    """The async variant: inside a triggerer it must not block on the supervisor channel."""
    if not secret:
        return
    if amask_secret is not None:
        await amask_secret(secret, name)
    else:
        mask(secret, name)
