"""``SmsMfaTestUser``: a ``Custom::CognitoTestUser`` with a verified phone number, an optional password secret, and
the SMS MFA settings that follow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import CfnElement, CustomResource
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match, Template

from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_cdk import Stack
    from constructs import IConstruct

TEST_USER_TYPE = "Custom::CognitoTestUser"
SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def logical_id(element: IConstruct | None) -> str:
    """The logical id of a CloudFormation element (for example a construct's ``node.default_child``)."""
    assert isinstance(element, CfnElement)
    return element.stack.get_logical_id(element)


@dataclass(frozen=True)
class Synthesized:
    template: Template
    pool: cognito.UserPool
    users: dict[str, SmsMfaTestUser]
    secret: secretsmanager.Secret

    def resource(self, element: IConstruct | None) -> dict[str, Any]:
        resource: dict[str, Any] = self.template.to_json()["Resources"][logical_id(element)]
        return resource

    def pool_ref(self) -> dict[str, str]:
        return {"Ref": logical_id(self.pool.node.default_child)}


@pytest.fixture(scope="module")
def synthesized(new_stack: Callable[[], Stack]) -> Synthesized:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    secret = secretsmanager.Secret(stack, "CarolPassword")
    users = {
        "Carol": SmsMfaTestUser(
            stack,
            "Carol",
            user_pool=pool,
            username="carol",
            phone_number="+15555550123",
            email="carol@example.com",
            password=secret,
        ),
        "Dave": SmsMfaTestUser(stack, "Dave", user_pool=pool, username="dave", phone_number="+15555550123"),
        "Erin": SmsMfaTestUser(
            stack, "Erin", user_pool=pool, username="erin", phone_number="+15555550123", mfa_options=[]
        ),
    }
    return Synthesized(Template.from_stack(stack), pool, users, secret)


def test_test_user_with_password_holds_only_the_secret_arn(synthesized: Synthesized) -> None:
    # GIVEN a test user with an email address and a password secret
    carol = synthesized.users["Carol"]

    # WHEN the stack is synthesized
    resource = synthesized.resource(carol.resource.node.default_child)

    # THEN the user resource carries the attributes, the secret's ARN and a revision; never a password
    assert resource["Type"] == TEST_USER_TYPE
    properties = dict(resource["Properties"])
    revision = properties.pop("PasswordRevision")
    assert isinstance(revision, str)
    assert len(revision) == 16
    assert properties == {
        "ServiceToken": properties["ServiceToken"],
        "ServiceTimeout": "300",
        "UserPoolId": synthesized.pool_ref(),
        "Username": "carol",
        "PhoneNumber": "+15555550123",
        "Email": "carol@example.com",
        "SmsMfaPreferred": "true",
        "PasswordSecretArn": {"Ref": logical_id(synthesized.secret.node.default_child)},
    }


def test_test_user_without_email_or_password_has_no_such_properties(synthesized: Synthesized) -> None:
    # GIVEN a test user without an email address or a password
    dave = synthesized.users["Dave"]

    # WHEN the stack is synthesized
    properties = synthesized.resource(dave.resource.node.default_child)["Properties"]

    # THEN neither the email nor a secret is named
    assert set(properties) == {
        "ServiceToken",
        "ServiceTimeout",
        "UserPoolId",
        "Username",
        "PhoneNumber",
        "SmsMfaPreferred",
    }
    assert dave.password is None


def test_phone_and_email_changes_keep_the_user_resource(new_stack: Callable[[], Stack]) -> None:
    # GIVEN the same test user declared twice with another phone number and email
    def user_of(phone: str, email: str) -> tuple[str, dict[str, Any]]:
        stack = new_stack()
        pool = cognito.UserPool(stack, "Pool")
        user = SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=phone, email=email)
        resource = Template.from_stack(stack).to_json()["Resources"][logical_id(user.resource.node.default_child)]
        return logical_id(user.resource.node.default_child), resource

    # WHEN both are synthesized
    first_id, first = user_of("+15555550123", "carol@example.com")
    second_id, second = user_of("+15555550199", "carol.qa@example.com")

    # THEN the logical id, the type and the identity properties are the same: CloudFormation sends an Update
    # (the handler changes attributes in place) instead of replacing an AWS::Cognito::UserPoolUser
    assert first_id == second_id
    assert first["Type"] == second["Type"] == TEST_USER_TYPE
    for name in ("UserPoolId", "Username"):
        assert first["Properties"][name] == second["Properties"][name]
    assert first["Properties"]["PhoneNumber"] != second["Properties"]["PhoneNumber"]


def test_test_user_settings_name_the_user_by_its_username_attribute(synthesized: Synthesized) -> None:
    # GIVEN a test user
    carol = synthesized.users["Carol"]
    assert carol.mfa_settings is not None

    # WHEN the stack is synthesized
    settings = synthesized.resource(carol.mfa_settings.resource.node.default_child)

    # THEN its settings take Username from the user resource (so they are created after it), SMS by default
    assert settings["Type"] == "Custom::CognitoUserSmsMfaSettings"
    assert settings["Properties"]["Username"] == {
        "Fn::GetAtt": [logical_id(carol.resource.node.default_child), "Username"]
    }
    assert settings["Properties"]["UserPoolId"] == synthesized.pool_ref()
    assert settings["Properties"]["MFAOptions"] == [SMS_OPTION]


def test_test_user_without_mfa_has_no_settings_and_no_sms_preference(synthesized: Synthesized) -> None:
    # GIVEN a test user with mfa_options=[]
    erin = synthesized.users["Erin"]

    # WHEN the stack is synthesized
    properties = synthesized.resource(erin.resource.node.default_child)["Properties"]

    # THEN there is no settings child and the SMS preference is off
    assert erin.mfa_settings is None
    assert properties["SmsMfaPreferred"] == "false"
    synthesized.template.resource_properties_count_is(
        "Custom::CognitoUserSmsMfaSettings",
        Match.object_like({"Username": {"Fn::GetAtt": [logical_id(erin.resource.node.default_child), "Username"]}}),
        0,
    )


def test_test_user_exposes_user_settings_username_and_password(synthesized: Synthesized) -> None:
    # GIVEN a test user
    carol = synthesized.users["Carol"]

    # WHEN its attributes are read
    # THEN `.resource` is the user resource and `.mfa_settings` the settings construct, at the documented ids
    assert isinstance(carol.resource, CustomResource)
    assert isinstance(carol.mfa_settings, UserSmsMfaSettings)
    assert carol.resource.node.path == "TestStack/Carol/Resource"
    assert carol.mfa_settings.node.path == "TestStack/Carol/MfaSettings"
    assert carol.username == "carol"
    assert carol.password is synthesized.secret


def test_settings_of_a_literal_user_depend_on_the_same_stack_user(new_stack: Callable[[], Stack]) -> None:
    # GIVEN settings by literal name, declared before the CfnUserPoolUser and the test user they name
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    other = cognito.UserPool(stack, "Other")
    frank_settings = UserSmsMfaSettings(stack, "FrankMfa", user_pool=pool, username="frank")
    gina_settings = UserSmsMfaSettings(stack, "GinaMfa", user_pool=pool, username="gina", mfa_options=[])
    other_settings = UserSmsMfaSettings(stack, "FrankElsewhere", user_pool=other, username="frank")
    frank = cognito.CfnUserPoolUser(stack, "Frank", user_pool_id=pool.user_pool_id, username="frank")
    gina = SmsMfaTestUser(stack, "Gina", user_pool=pool, username="gina", phone_number="+15555550150", mfa_options=[])

    # WHEN the stack is synthesized
    resources = Template.from_stack(stack).to_json()["Resources"]

    def depends_on(settings: UserSmsMfaSettings) -> list[str]:
        return list(resources[logical_id(settings.resource.node.default_child)].get("DependsOn", []))

    # THEN each depends on the user of the same pool and name, and the other pool's settings on neither
    assert logical_id(frank) in depends_on(frank_settings)
    assert logical_id(gina.resource.node.default_child) in depends_on(gina_settings)
    assert logical_id(frank) not in depends_on(other_settings)


@pytest.mark.parametrize(
    ("case_sensitive", "warned"),
    [pytest.param(None, True, id="default-case-sensitive"), pytest.param(False, False, id="case-insensitive")],
)
def test_settings_of_a_user_spelt_in_another_letter_case_are_warned_or_depend_on_it(
    new_stack: Callable[[], Stack], case_sensitive: bool | None, warned: bool
) -> None:
    # GIVEN the stack's user "Frank" and settings of "frank" in a pool of the app (by default case-sensitive)
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool", sign_in_case_sensitive=case_sensitive)
    settings = UserSmsMfaSettings(stack, "FrankMfa", user_pool=pool, username="frank")
    frank = cognito.CfnUserPoolUser(stack, "Frank", user_pool_id=pool.user_pool_id, username="Frank")

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)
    depends_on = template.to_json()["Resources"][logical_id(settings.resource.node.default_child)].get("DependsOn", [])
    warnings = Annotations.from_stack(stack).find_warning(
        "/TestStack/FrankMfa", Match.string_like_regexp("letter case")
    )

    # THEN a case-sensitive pool warns, naming both names and the pool's case sensitivity (they are two users, so no
    # dependency: adding one would not help); in a case-insensitive pool it is the same user, and the settings wait
    if warned:
        [warning] = warnings
        assert warning.entry.data == (
            "username 'frank' differs only by letter case from the user TestStack/Frank ('Frank') of the same pool, "
            "whose usernames are case-sensitive: they are two users, so the settings do not wait for 'Frank' and "
            "name a user that may not exist (UserNotFoundException); use `username=user.ref` or the user's own "
            "spelling [ack: cognito-sms-mfa:usernameCase]"
        )
        assert logical_id(frank) not in depends_on
    else:
        assert warnings == []
        assert logical_id(frank) in depends_on
