"""Register the client secret and bearer tokens with Airflow's secrets masker.

Masking makes Airflow redact the values from task logs even if some other library logs a request
with its headers or form; the hooks themselves never log them.
"""

from __future__ import annotations

try:  # Airflow >= 3.1: masks in the task process and tells the supervisor too.
    from airflow.sdk.log import mask_secret as _mask_secret
except ImportError:  # pragma: no cover - Airflow 3.0
    try:
        from airflow.sdk.execution_time.secrets_masker import (  # type: ignore[no-redef]
            mask_secret as _mask_secret,
        )
    except ImportError:
        _mask_secret = None  # type: ignore[assignment]

try:
    from airflow.sdk.log import amask_secret as _amask_secret
except ImportError:  # pragma: no cover - older Airflow
    _amask_secret = None  # type: ignore[assignment]


def mask(secret: str | None, name: str | None = None) -> None:
    if secret and _mask_secret is not None:
        _mask_secret(secret, name)


async def amask(secret: str | None, name: str | None = None) -> None:
    """The async variant: inside a triggerer it must not block on the supervisor channel."""
    if not secret:
        return
    if _amask_secret is not None:
        await _amask_secret(secret, name)
    else:
        mask(secret, name)
