"""Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point.

Airflow >= 3.2 builds the connection form from ``conn-fields`` and ``ui-field-behaviour`` here
without importing the hook; older versions call the hook's form methods instead.
"""

from __future__ import annotations

from typing import Any

from aspose_ocr_provider import __version__

INTEGRATION = "Aspose.OCR Cloud"

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "port"],
    "relabeling": {"login": "Client ID", "password": "Client Secret", "host": "API base URL"},
    "placeholders": {
        "login": "Client ID from https://dashboard.aspose.cloud/applications",
        "password": "Client Secret",
        "host": "https://api.aspose.cloud",
    },
}

CONN_FIELDS: dict[str, Any] = {
    "token_url": {
        "label": "Token URL",
        "description": "OAuth2 token endpoint; empty means the API base URL + /connect/token.",
        "schema": {"type": ["string", "null"], "format": "url"},
    },
    "timeout": {
        "label": "Request timeout (seconds)",
        "description": "How long one HTTP request may take before it is retried.",
        "schema": {"type": ["number", "null"], "default": 60, "minimum": 1},
    },
    "verify_ssl": {
        "label": "Verify TLS certificates",
        "description": "Turn off only for a test server with a self-signed certificate.",
        "schema": {"type": ["boolean", "null"], "default": True},
    },
    "max_retries": {
        "label": "Max retries",
        "description": "Retries after connection errors, timeouts, 429 and 5xx answers.",
        "schema": {"type": ["integer", "null"], "default": 5, "minimum": 0},
    },
    "backoff_base": {
        "label": "Backoff base (seconds)",
        "description": "First wait between retries; doubles each retry (with jitter).",
        "schema": {"type": ["number", "null"], "default": 1, "minimum": 0},
    },
    "backoff_max": {
        "label": "Backoff cap (seconds)",
        "description": "Longest wait between two retries.",
        "schema": {"type": ["number", "null"], "default": 30, "minimum": 0},
    },
    "max_retry_after": {
        "label": "Longest Retry-After honoured (seconds)",
        "description": "A server asking to wait longer makes the call fail at once.",
        "schema": {"type": ["number", "null"], "default": 120, "minimum": 0},
    },
}


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-aspose-ocr",
        "name": "Aspose.OCR Cloud",
        "description": "Table recognition with `Aspose.OCR Cloud <https://products.aspose.cloud/ocr/>`__: "
        "images of tables to warehouse rows.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://docs.aspose.cloud/ocr/",
                "tags": ["service"],
            }
        ],
        "operators": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "aspose_ocr_provider.operators.submit",
                    "aspose_ocr_provider.operators.load",
                    "aspose_ocr_provider.operators.documents_to_sql",
                    "aspose_ocr_provider.operators.review",
                ],
            }
        ],
        "sensors": [
            {"integration-name": INTEGRATION, "python-modules": ["aspose_ocr_provider.sensors.task"]}
        ],
        "hooks": [
            {"integration-name": INTEGRATION, "python-modules": ["aspose_ocr_provider.hooks.aspose_ocr"]}
        ],
        "triggers": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "aspose_ocr_provider.triggers.task_status",
                    "aspose_ocr_provider.triggers.new_documents",
                    "aspose_ocr_provider.triggers.s3_notifications",
                ],
            }
        ],
        "connection-types": [
            {
                "connection-type": "aspose_ocr",
                "hook-class-name": "aspose_ocr_provider.hooks.aspose_ocr.AsposeOcrHook",
                "hook-name": "Aspose.OCR Cloud",
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
                "conn-fields": CONN_FIELDS,
            }
        ],
    }
