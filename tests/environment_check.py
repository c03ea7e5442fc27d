"""A check of the test environment itself, before any test runs."""

from __future__ import annotations

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, saying why, when this environment's Airflow cannot encrypt a secret.

    Every connection read from the environment goes through Airflow's Fernet; when a library
    release breaks it (cryptography 51 under Airflow 3.0.6), every DAG run's first task fails and
    waits for its retries, and the suite would spend its time limit saying nothing.
    """
    try:
        from airflow.models.crypto import get_fernet

        get_fernet().encrypt(b"probe")
    except ImportError:  # a release without the module: nothing of it to break
        return
    except Exception as exc:
        import cryptography

        pytest.exit(
            f"This environment's Airflow cannot encrypt a connection's secret "
            f"({type(exc).__name__}: {exc}; cryptography {cryptography.__version__}). Install from the "
            "lock files (scripts/bootstrap.sh) or pin what docs/versions.md says for this Airflow.",
            returncode=3,
        )
