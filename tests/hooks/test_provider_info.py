"""Airflow finds the provider through its entry point and knows the ``aspose_ocr`` connection type."""

from __future__ import annotations

import importlib.util
from importlib.metadata import entry_points

import pytest

from aspose_ocr_provider.compat import AIRFLOW_V_3_2_PLUS
from aspose_ocr_provider.get_provider_info import get_provider_info


def test_entry_point_and_connection_type_are_registered() -> None:
    from airflow.providers_manager import ProvidersManager

    eps = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("aspose_ocr_provider")
    ]
    assert [ep.load()()["package-name"] for ep in eps] == ["airflow-provider-aspose-ocr"]
    manager = ProvidersManager()
    assert "airflow-provider-aspose-ocr" in manager.providers
    hook = manager.hooks["aspose_ocr"]
    assert hook is not None
    assert hook.hook_class_name == "aspose_ocr_provider.hooks.aspose_ocr.AsposeOcrHook"
    assert hook.connection_id_attribute_name == "aspose_ocr_conn_id"


@pytest.mark.skipif(
    not AIRFLOW_V_3_2_PLUS and importlib.util.find_spec("flask_appbuilder") is None,
    reason="Airflow < 3.2 builds every provider's connection form from the FAB provider's form stack, "
    "which this environment does not install",
)
def test_connection_form_fields_and_labels() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    widgets = manager.connection_form_widgets
    for name in ("token_url", "timeout", "verify_ssl", "max_retries"):
        assert f"extra__aspose_ocr__{name}" in widgets
    behaviour = manager.field_behaviours["aspose_ocr"]
    assert behaviour["relabeling"] == {
        "login": "Client ID",
        "password": "Client Secret",
        "host": "API base URL",
    }


def test_listed_modules_exist() -> None:
    import importlib

    info = get_provider_info()
    for kind in ("hooks", "operators", "sensors", "triggers"):
        for group in info[kind]:
            for module in group["python-modules"]:
                importlib.import_module(module)
