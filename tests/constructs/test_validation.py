"""Synth-time validation: every literal value the API would reject fails at construction, with its exact message.

A message names the construct path, the field (the Python keyword), the rule and the value received.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, Duration, Fn, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from cognito_sms_mfa import (
    MfaFactor,
    MfaOption,
    SmsMfaTestUser,
    UserMfaPreference,
    UserSmsMfaSettings,
    UserSmsMfaSettingsBatch,
)

if TYPE_CHECKING:
    from collections.abc import Callable

RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
SHARED = "must be managed by one construct per pool and setting"
OPTIONS = "whose SMS MFA options (`MFAOptions`)"


def raised_message(error: type[Exception], build: Callable[[], object]) -> str:
    """Run ``build`` and return the message of the ``error`` it raises."""
    with pytest.raises(error) as raised:
        build()
    return str(raised.value)


# --- UserSmsMfaSettings: username --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "message"),
    [
        pytest.param(
            "a" * 129,
            "TestStack/Mfa: `username` must be 1-128 characters; received 129 characters",
            id="too-long",
        ),
        pytest.param("", "TestStack/Mfa: `username` must be 1-128 characters; received 0 characters", id="empty"),
        pytest.param(
            "alice bob",
            "TestStack/Mfa: `username` must contain only letters, marks, symbols, numbers and punctuation; "
            "received 'alice bob' with SPACE at position 6",
            id="space",
        ),
        pytest.param(
            "alice\n",
            "TestStack/Mfa: `username` must contain only letters, marks, symbols, numbers and punctuation; "
            "received 'alice\\n' with 0xa at position 6",
            id="control-character",
        ),
        pytest.param(
            "x\u200by",
            "TestStack/Mfa: `username` must contain only letters, marks, symbols, numbers and punctuation; "
            "received 'x\\u200by' with ZERO WIDTH SPACE at position 2",
            id="zero-width-space",
        ),
    ],
)
def test_settings_raises_when_username_invalid(
    stack: Stack, pool: cognito.UserPool, username: str, message: str
) -> None:
    # GIVEN a literal username that AdminSetUserSettings would reject
    # WHEN settings are declared for it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username=username)

    # THEN construction fails, naming the path, the field, the rule and the value
    assert raised_message(ValueError, build) == message


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("a" * 128, id="128-characters"),
        pytest.param("josé", id="letter-with-accent"),
        pytest.param("alice+qa@example.com", id="symbols-and-punctuation"),
        pytest.param("+15555550123", id="phone-number-alias"),
    ],
)
def test_settings_valid_username_is_rendered_unchanged(stack: Stack, pool: cognito.UserPool, username: str) -> None:
    # GIVEN a literal username at the edge of the API's rule
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username=username)

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)

    # THEN it is accepted and rendered as given
    template.has_resource_properties(RESOURCE_TYPE, {"Username": username})


# --- UserSmsMfaSettings: literal pool id --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pool_id", "message"),
    [
        pytest.param(
            "not-a-pool-id",
            "TestStack/Mfa: `user_pool.user_pool_id` must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); "
            "received 'not-a-pool-id'",
            id="no-underscore",
        ),
        pytest.param(
            "us-east-1_ab-c",
            "TestStack/Mfa: `user_pool.user_pool_id` must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); "
            "received 'us-east-1_ab-c'",
            id="hyphen-in-id",
        ),
        pytest.param(
            "us-east-1_äbc",
            "TestStack/Mfa: `user_pool.user_pool_id` must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); "
            "received 'us-east-1_äbc'",
            id="non-ascii",
        ),
        pytest.param(
            "us-east-1_" + "a" * 46,
            "TestStack/Mfa: `user_pool.user_pool_id` must be 1-55 characters; received 56 characters",
            id="too-long",
        ),
    ],
)
def test_settings_raises_when_literal_pool_id_invalid(stack: Stack, pool_id: str, message: str) -> None:
    # GIVEN a pool imported by a literal id that is not a user pool id
    pool = cognito.UserPool.from_user_pool_id(stack, "Imported", pool_id)

    # WHEN settings are declared in it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice")

    # THEN construction fails, naming the pool id field
    assert raised_message(ValueError, build) == message


def test_settings_pool_id_of_55_characters_is_accepted(stack: Stack) -> None:
    # GIVEN a pool imported by a literal id of the maximum length
    pool_id = "us-east-1_" + "a" * 45
    pool = cognito.UserPool.from_user_pool_id(stack, "Imported", pool_id)

    # WHEN settings are declared in it and the stack is synthesized
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice")
    template = Template.from_stack(stack)

    # THEN the id is rendered as given
    template.has_resource_properties(RESOURCE_TYPE, {"UserPoolId": pool_id})


# --- UserSmsMfaSettings: mfa_options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            [MfaOption(delivery_medium="EMAIL")],
            "TestStack/Mfa: `mfa_options[0].delivery_medium` must be 'SMS' (the only medium AdminSetUserSettings "
            "sets); received 'EMAIL'",
            id="delivery-medium-email",
        ),
        pytest.param(
            [MfaOption(delivery_medium="sms")],
            "TestStack/Mfa: `mfa_options[0].delivery_medium` must be 'SMS' (the only medium AdminSetUserSettings "
            "sets); received 'sms'",
            id="delivery-medium-lowercase",
        ),
        pytest.param(
            [MfaOption(attribute_name="email")],
            "TestStack/Mfa: `mfa_options[0].attribute_name` must be 'phone_number' (the only attribute "
            "AdminSetUserSettings accepts); received 'email'",
            id="attribute-name-email",
        ),
        pytest.param(
            [MfaOption.sms(), MfaOption(attribute_name="phone")],
            "TestStack/Mfa: `mfa_options[1].attribute_name` must be 'phone_number' (the only attribute "
            "AdminSetUserSettings accepts); received 'phone'",
            id="second-option-attribute-name",
        ),
        pytest.param(
            [MfaOption.sms(), MfaOption()],
            "TestStack/Mfa: `mfa_options` must not repeat an option; SMS/phone_number appears more than once",
            id="duplicate",
        ),
    ],
)
def test_settings_raises_when_option_invalid(
    stack: Stack, pool: cognito.UserPool, options: list[MfaOption], message: str
) -> None:
    # GIVEN options that AdminSetUserSettings would reject
    # WHEN settings are declared with them
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", mfa_options=options)

    # THEN construction fails, naming the option's index and field
    assert raised_message(ValueError, build) == message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
            "TestStack/Mfa: `mfa_options[0]` must be an MfaOption; received dict {'DeliveryMedium': 'SMS', 'Attri...",
            id="dict",
        ),
        pytest.param(["SMS"], "TestStack/Mfa: `mfa_options[0]` must be an MfaOption; received 'SMS'", id="string"),
        pytest.param(
            [MfaOption.sms(), None],
            "TestStack/Mfa: `mfa_options[1]` must be an MfaOption; received NoneType None",
            id="none",
        ),
    ],
)
def test_settings_raises_type_error_when_option_not_mfa_option(
    stack: Stack, pool: cognito.UserPool, options: list[Any], message: str
) -> None:
    # GIVEN an options list with an entry that is not an MfaOption
    # WHEN settings are declared with it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", mfa_options=options)

    # THEN construction fails with a TypeError naming the entry
    assert raised_message(TypeError, build) == message


# --- UserSmsMfaSettings: service_timeout and log_retention ----------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "received"),
    [
        pytest.param(Duration.seconds(149), "2 minutes 29 seconds", id="below-150-seconds"),
        pytest.param(Duration.seconds(3601), "1 hour 1 second", id="above-3600-seconds"),
        pytest.param(Duration.hours(2), "2 hours", id="two-hours"),
    ],
)
def test_settings_raises_when_service_timeout_out_of_range(
    stack: Stack, pool: cognito.UserPool, timeout: Duration, received: str
) -> None:
    # GIVEN a service_timeout shorter than the handler can run, or longer than CloudFormation allows
    # WHEN settings are declared with it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", service_timeout=timeout)

    # THEN construction fails, giving the range and why
    assert raised_message(ValueError, build) == (
        f"TestStack/Mfa: `service_timeout` must be 150-3600 seconds (the handler runs up to 120 s); received {received}"
    )


def test_settings_raises_when_service_timeout_not_whole_seconds(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a service_timeout CloudFormation cannot take (it counts whole seconds)
    # WHEN
    def build() -> object:
        return UserSmsMfaSettings(
            stack, "Mfa", user_pool=pool, username="alice", service_timeout=Duration.millis(150500)
        )

    # THEN the construct's own message, not a conversion error from deep inside CDK
    assert raised_message(ValueError, build) == (
        "TestStack/Mfa: `service_timeout` must be a whole number of seconds; received 150500 ms"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(logs.RetentionDays.ONE_WEEK, logs.RetentionDays.ONE_MONTH, id="week-then-month"),
        pytest.param(logs.RetentionDays.ONE_YEAR, logs.RetentionDays.INFINITE, id="year-then-infinite"),
    ],
)
def test_settings_raises_when_log_retention_conflicts(
    stack: Stack, pool: cognito.UserPool, first: logs.RetentionDays, second: logs.RetentionDays
) -> None:
    # GIVEN settings that gave one log_retention
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice", log_retention=first)

    # WHEN other settings of the stack give another
    def build() -> object:
        return UserSmsMfaSettings(stack, "BobMfa", user_pool=pool, username="bob", log_retention=second)

    # THEN construction fails, naming both values and who set the first
    assert raised_message(ValueError, build) == (
        "TestStack/BobMfa: `log_retention` must be the same for every construct of a stack (they share "
        f"one handler); received {second.name}, but TestStack/AliceMfa set {first.name}"
    )


# --- One settings construct per pool and username -----------------------------------------------------------


def declare_two_settings(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    UserSmsMfaSettings(stack, "First", user_pool=pool, username="alice")
    UserSmsMfaSettings(stack, "Second", user_pool=pool, username="alice")


def declare_two_imports_of_one_pool(stack: Stack) -> None:
    first = cognito.UserPool.from_user_pool_id(stack, "ImportedOnce", "eu-west-1_AbC123")
    second = cognito.UserPool.from_user_pool_id(stack, "ImportedTwice", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "First", user_pool=first, username="alice")
    UserSmsMfaSettings(stack, "Second", user_pool=second, username="alice")


def declare_test_user_then_settings(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")
    UserSmsMfaSettings(stack, "CarolMfa", user_pool=pool, username="carol")


def declare_settings_then_test_user(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    UserSmsMfaSettings(stack, "CarolMfa", user_pool=pool, username="carol")
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")


def declare_two_test_users(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")
    SmsMfaTestUser(stack, "CarolAgain", user_pool=pool, username="carol", phone_number="+15555550124")


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        pytest.param(
            declare_two_settings,
            f"TestStack/Second: `username` {SHARED}; received 'alice', {OPTIONS} TestStack/First already manages in "
            "the same pool",
            id="two-settings",
        ),
        pytest.param(
            declare_two_imports_of_one_pool,
            f"TestStack/Second: `username` {SHARED}; received 'alice', {OPTIONS} TestStack/First already manages in "
            "the same pool",
            id="two-imports-of-one-pool",
        ),
        pytest.param(
            declare_test_user_then_settings,
            f"TestStack/CarolMfa: `username` {SHARED}; received 'carol', {OPTIONS} TestStack/Carol/MfaSettings "
            "already manages in the same pool",
            id="test-user-then-settings",
        ),
        pytest.param(
            declare_settings_then_test_user,
            f"TestStack/Carol/MfaSettings: `username` {SHARED}; received 'carol', {OPTIONS} TestStack/CarolMfa "
            "already manages in the same pool",
            id="settings-then-test-user",
        ),
        pytest.param(
            declare_two_test_users,
            f"TestStack/CarolAgain: `username` {SHARED}; received 'carol', whose user itself (a test user) "
            "TestStack/Carol already manages in the same pool",
            id="two-test-users",
        ),
    ],
)
def test_settings_raises_when_pool_and_username_managed_twice(
    stack: Stack, declare: Callable[[Stack], None], message: str
) -> None:
    # GIVEN two constructs that would manage the same literal username in the same pool
    # WHEN both are declared in one stack
    # THEN the second fails, naming the first: the two would overwrite each other
    assert raised_message(ValueError, lambda: declare(stack)) == message


def test_settings_same_username_in_other_pool_or_stack_is_accepted(new_app: Callable[[], App]) -> None:
    # GIVEN "alice" in two pools of one stack, and again in a pool of another stack
    app = new_app()
    stack, other_stack = Stack(app, "TestStack"), Stack(app, "OtherStack")
    for scope, pool_id in ((stack, "First"), (stack, "Second"), (other_stack, "Pool")):
        pool = cognito.UserPool(scope, pool_id)
        UserSmsMfaSettings(scope, f"{pool_id}AliceMfa", user_pool=pool, username="alice")

    # WHEN both stacks are synthesized
    templates = [Template.from_stack(stack), Template.from_stack(other_stack)]

    # THEN every settings resource is there
    templates[0].resource_count_is(RESOURCE_TYPE, 2)
    templates[1].resource_count_is(RESOURCE_TYPE, 1)


# --- SmsMfaTestUser ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"phone_number": "5555550123"},
            "TestStack/Carol: `phone_number` must be E.164 ('+', country code, number; 2-15 digits, no spaces); "
            "received '5555550123'",
            id="phone-without-plus",
        ),
        pytest.param(
            {"phone_number": "+1 555 555 0123"},
            "TestStack/Carol: `phone_number` must be E.164 ('+', country code, number; 2-15 digits, no spaces); "
            "received '+1 555 555 0123'",
            id="phone-with-spaces",
        ),
        pytest.param(
            {"phone_number": "+05555550123"},
            "TestStack/Carol: `phone_number` must be E.164 ('+', country code, number; 2-15 digits, no spaces); "
            "received '+05555550123'",
            id="phone-country-code-zero",
        ),
        pytest.param(
            {"phone_number": "+1234567890123456"},
            "TestStack/Carol: `phone_number` must be E.164 ('+', country code, number; 2-15 digits, no spaces); "
            "received '+1234567890123456'",
            id="phone-16-digits",
        ),
        pytest.param(
            {"email": "carol"},
            "TestStack/Carol: `email` must be an email address (name@domain, no spaces); received 'carol'",
            id="email-without-at",
        ),
        pytest.param(
            {"email": "carol@example"},
            "TestStack/Carol: `email` must be an email address (name@domain, no spaces); received 'carol@example'",
            id="email-domain-without-dot",
        ),
        pytest.param(
            {"email": "carol smith@example.com"},
            "TestStack/Carol: `email` must be an email address (name@domain, no spaces); "
            "received 'carol smith@example.com'",
            id="email-with-space",
        ),
        pytest.param(
            {"email": "carol@ex@ample.com"},
            "TestStack/Carol: `email` must be an email address (name@domain, no spaces); received 'carol@ex@ample.com'",
            id="email-two-ats",
        ),
        pytest.param(
            {"username": "carol smith"},
            "TestStack/Carol: `username` must contain only letters, marks, symbols, numbers and punctuation; "
            "received 'carol smith' with SPACE at position 6",
            id="username-with-space",
        ),
    ],
)
def test_test_user_raises_when_field_invalid(
    stack: Stack, pool: cognito.UserPool, fields: dict[str, str], message: str
) -> None:
    # GIVEN a test user with one literal field that breaks its rule
    values = {"username": "carol", "phone_number": "+15555550123", "email": "carol@example.com", **fields}

    # WHEN it is declared
    def build() -> object:
        return SmsMfaTestUser(
            stack,
            "Carol",
            user_pool=pool,
            username=values["username"],
            phone_number=values["phone_number"],
            email=values["email"],
        )

    # THEN construction fails, naming the field
    assert raised_message(ValueError, build) == message


def test_test_user_token_fields_pass_through_untouched(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user whose phone number and email come from another stack's exports
    SmsMfaTestUser(
        stack,
        "Carol",
        user_pool=pool,
        username="carol",
        phone_number=Fn.import_value("CarolPhone"),
        email=Fn.import_value("CarolEmail"),
    )

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)

    # THEN they are not validated and appear as the imports they are
    template.has_resource_properties(
        "Custom::CognitoTestUser",
        {"PhoneNumber": {"Fn::ImportValue": "CarolPhone"}, "Email": {"Fn::ImportValue": "CarolEmail"}},
    )


def _insensitive_pool(stack: Stack) -> cognito.UserPool:
    return cognito.UserPool(stack, "Pool", sign_in_case_sensitive=False)


def declare_settings_then_batch_of_another_case(stack: Stack) -> None:
    pool = _insensitive_pool(stack)
    UserSmsMfaSettings(stack, "Single", user_pool=pool, username="Alice")
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["bob", "alice"])


def declare_two_batches_of_another_case(stack: Stack) -> None:
    pool = _insensitive_pool(stack)
    UserSmsMfaSettingsBatch(stack, "First", user_pool=pool, usernames=["ALICE"])
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["bob", "alice"])


def declare_preference_then_batch_preference_of_another_case(stack: Stack) -> None:
    pool = _insensitive_pool(stack)
    UserMfaPreference(stack, "Pref", user_pool=pool, username="ALICE", sms=MfaFactor.ENABLED)
    UserSmsMfaSettingsBatch(
        stack, "Batch", user_pool=pool, usernames=["bob", "alice"], sms_preference=MfaFactor.ENABLED
    )


def declare_test_user_then_batch_of_another_case(stack: Stack) -> None:
    pool = _insensitive_pool(stack)
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="Alice", phone_number="+15555550123")
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["bob", "alice"])


PREFERENCE = "whose MFA preference (`AdminSetUserMFAPreference`)"


@pytest.mark.parametrize(
    ("declare", "first", "setting", "spelt"),
    [
        pytest.param(declare_settings_then_batch_of_another_case, "Single", OPTIONS, "Alice", id="settings-batch"),
        pytest.param(declare_two_batches_of_another_case, "First", OPTIONS, "ALICE", id="batch-batch"),
        pytest.param(
            declare_preference_then_batch_preference_of_another_case, "Pref", PREFERENCE, "ALICE", id="preference-batch"
        ),
        pytest.param(
            declare_test_user_then_batch_of_another_case, "Carol/MfaSettings", OPTIONS, "Alice", id="test-user-batch"
        ),
    ],
)
def test_constructs_of_any_types_managing_one_users_setting_in_a_case_insensitive_pool_are_refused(
    stack: Stack, declare: Callable[[Stack], None], first: str, setting: str, spelt: str
) -> None:
    # GIVEN a construct managing a user's setting, and a batch listing the same user in another letter case, in a
    # pool whose usernames are case-insensitive (the same user)
    # WHEN both are declared
    message = raised_message(ValueError, lambda: declare(stack))
    # THEN the batch fails, naming both constructs, the user (both spellings) and the setting
    assert message == (
        f"TestStack/Batch: `usernames[1]` {SHARED}; received 'alice', {setting} TestStack/{first} already manages in "
        f"the same pool (as {spelt!r}: the pool is case-insensitive)"
    )


def test_names_of_another_case_in_a_case_sensitive_pool_are_two_users(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Pool")
    UserSmsMfaSettings(stack, "Single", user_pool=pool, username="Alice")
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["alice"])
    Template.from_stack(stack).resource_count_is("Custom::CognitoUserSmsMfaSettingsBatch", 1)
