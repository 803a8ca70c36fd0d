"""The synth-time warning on a construct whose pool of the app has MFA off: Cognito challenges nobody there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import MfaFactor, SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings

if TYPE_CHECKING:
    from collections.abc import Callable

RULE = "SMS MFA settings have no effect at sign-in while the pool's MfaConfiguration is OFF"
SMS_ONLY = cognito.MfaSecondFactor(sms=True, otp=False)


def synthesized_warnings(stack: Stack) -> dict[str, list[str]]:
    """The warnings synthesis writes into the stack artifact, by construct path, without the acknowledgement id."""
    artifact = stack.node.root.synth().get_stack_artifact(stack.artifact_id)  # type: ignore[attr-defined]
    found: dict[str, list[str]] = {}
    for entry in artifact.find_metadata_by_type("aws:cdk:warning"):
        found.setdefault(entry.path, []).append(str(entry.data).split(" [ack: ")[0])
    return found


def test_every_construct_on_a_pool_with_mfa_off_is_warned_naming_pool_and_rule(stack: Stack) -> None:
    # GIVEN a pool with MFA off (the default) and each construct of the library on it
    pool = cognito.UserPool(stack, "PlainPool")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
    UserMfaPreference(stack, "BobPreference", user_pool=pool, username="bob", sms=MfaFactor.PREFERRED)
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")

    # WHEN the app is synthesized
    found = synthesized_warnings(stack)

    # THEN each construct has one warning naming the pool and the rule (the test user's own settings none)
    message = (
        f"`user_pool` TestStack/PlainPool: {RULE}; give the pool `mfa=cognito.Mfa.OPTIONAL` (or `REQUIRED`) with"
        " `mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=...)`"
    )
    assert found == {
        "/TestStack/AliceMfa": [message],
        "/TestStack/BobPreference": [message],
        "/TestStack/Carol": [message],
    }


def test_no_warning_on_a_pool_with_optional_mfa_or_an_imported_pool(new_stack: Callable[[], Stack]) -> None:
    # GIVEN a pool with optional SMS MFA, one imported by id, and a pool whose MFA is required
    stack = new_stack()
    UserSmsMfaSettings(
        stack,
        "AliceMfa",
        user_pool=cognito.UserPool(stack, "Optional", mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=SMS_ONLY),
        username="a",
    )
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=imported, username="bob")
    required = cognito.UserPool(stack, "Required", mfa=cognito.Mfa.REQUIRED, mfa_second_factor=SMS_ONLY)
    SmsMfaTestUser(stack, "Carol", user_pool=required, username="carol", phone_number="+15555550123")

    # WHEN / THEN
    assert synthesized_warnings(stack) == {}


def test_warning_reads_the_pool_as_it_is_at_synthesis(stack: Stack) -> None:
    # GIVEN a pool whose MFA is turned on through its L1 after the construct was declared
    pool = cognito.UserPool(stack, "Pool")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
    cfn_pool = pool.node.default_child
    assert isinstance(cfn_pool, cognito.CfnUserPool)
    cfn_pool.mfa_configuration = "OPTIONAL"

    # WHEN / THEN
    assert synthesized_warnings(stack) == {}
