"""The resource-type table of ``index.py``: every entry names a module that serves its type."""

from __future__ import annotations

from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE

from .harness import load_handler


def test_every_entry_of_the_resource_type_table_resolves_to_a_resource_type(aws_env: None) -> None:
    # GIVEN the handler's entry module, started as on Lambda
    index = load_handler()
    # WHEN each entry of its table is resolved as a request of that type resolves it
    resolved = {name: index.resource_type({"ResourceType": name}) for name in index.RESOURCE_TYPES}
    # THEN the table serves the three types, each with apply, delete and log_subject
    assert set(resolved) == {SETTINGS_RESOURCE_TYPE, PREFERENCE_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE}
    for resource in resolved.values():
        assert callable(resource.apply)
        assert callable(resource.delete)
        assert callable(resource.log_subject)
