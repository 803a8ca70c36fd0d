"""The resource-type table of ``index.py``: every entry names a module that serves its type."""

from __future__ import annotations

import time

from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    SINGLE_REQUEST_BUDGET_S,
    TEST_USER_RESOURCE_TYPE,
)
from cognito_sms_mfa_rehearsal.lambda_bootstrap import LambdaContext

from .harness import load_handler


def test_every_entry_of_the_resource_type_table_resolves_to_a_resource_type(aws_env: None) -> None:
    # GIVEN the handler's entry module, started as on Lambda
    index = load_handler()
    # WHEN each entry of its table is resolved as a request of that type resolves it
    resolved = {name: index.resource_type({"ResourceType": name}) for name in index.RESOURCE_TYPES}
    # THEN the table serves the four types, each with apply, delete and log_subject
    assert set(resolved) == {
        SETTINGS_RESOURCE_TYPE,
        PREFERENCE_RESOURCE_TYPE,
        TEST_USER_RESOURCE_TYPE,
        SETTINGS_BATCH_RESOURCE_TYPE,
    }
    for resource in resolved.values():
        assert callable(resource.apply)
        assert callable(resource.delete)
        assert callable(resource.log_subject)


def test_single_user_types_keep_their_budget_in_a_function_with_the_batch_timeout(aws_env: None) -> None:
    # GIVEN the function's 15 minutes (a stack with a batch)
    index = load_handler()
    context = LambdaContext(900.0, function_name="f")
    started = time.monotonic()
    # WHEN / THEN a single-user request has its own 120 s; a batch request the invocation's time
    assert index._remaining({"ResourceType": SETTINGS_RESOURCE_TYPE}, context, started)() <= SINGLE_REQUEST_BUDGET_S
    assert index._remaining({"ResourceType": SETTINGS_BATCH_RESOURCE_TYPE}, context, started)() > 800
