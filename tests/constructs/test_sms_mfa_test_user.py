"""``SmsMfaTestUser``: a Cognito user with a verified phone number and the SMS MFA settings that follow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import CfnElement
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_cdk import Stack
    from constructs import IConstruct

PHONE_ATTRIBUTES = [
    {"Name": "phone_number", "Value": "+15555550123"},
    {"Name": "phone_number_verified", "Value": "true"},
]
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

    def resource(self, element: IConstruct | None) -> dict[str, Any]:
        resource: dict[str, Any] = self.template.to_json()["Resources"][logical_id(element)]
        return resource

    def pool_ref(self) -> dict[str, str]:
        return {"Ref": logical_id(self.pool.node.default_child)}


@pytest.fixture(scope="module")
def synthesized(new_stack: Callable[[], Stack]) -> Synthesized:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    users = {
        "Carol": SmsMfaTestUser(
            stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123", email="carol@example.com"
        ),
        "Dave": SmsMfaTestUser(stack, "Dave", user_pool=pool, username="dave", phone_number="+15555550123"),
        "Erin": SmsMfaTestUser(
            stack, "Erin", user_pool=pool, username="erin", phone_number="+15555550123", mfa_options=[]
        ),
    }
    return Synthesized(Template.from_stack(stack), pool, users)


def test_test_user_with_email_creates_user_with_verified_phone_and_email(synthesized: Synthesized) -> None:
    # GIVEN a test user with a phone number and an email address
    user = synthesized.users["Carol"].user

    # WHEN the stack is synthesized
    resource = synthesized.resource(user)

    # THEN the pool user has both, verified, and Cognito sends no invitation
    assert resource["Type"] == "AWS::Cognito::UserPoolUser"
    assert resource["Properties"] == {
        "UserPoolId": synthesized.pool_ref(),
        "Username": "carol",
        "MessageAction": "SUPPRESS",
        "UserAttributes": [
            *PHONE_ATTRIBUTES,
            {"Name": "email", "Value": "carol@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    }


def test_test_user_without_email_has_phone_attributes_only(synthesized: Synthesized) -> None:
    # GIVEN a test user without an email address
    user = synthesized.users["Dave"].user

    # WHEN the stack is synthesized
    resource = synthesized.resource(user)

    # THEN the pool user has the verified phone number and no email attribute
    assert resource["Properties"] == {
        "UserPoolId": synthesized.pool_ref(),
        "Username": "dave",
        "MessageAction": "SUPPRESS",
        "UserAttributes": PHONE_ATTRIBUTES,
    }


def test_test_user_settings_name_the_user_by_its_ref(synthesized: Synthesized) -> None:
    # GIVEN a test user
    carol = synthesized.users["Carol"]

    # WHEN the stack is synthesized
    settings = synthesized.resource(carol.mfa_settings.resource.node.default_child)

    # THEN its settings take Username from the user's Ref (so they are created after it), SMS by default
    assert settings["Type"] == "Custom::CognitoUserSmsMfaSettings"
    assert settings["Properties"]["Username"] == {"Ref": logical_id(carol.user)}
    assert settings["Properties"]["UserPoolId"] == synthesized.pool_ref()
    assert settings["Properties"]["MFAOptions"] == [SMS_OPTION]


def test_test_user_mfa_options_reach_its_settings(synthesized: Synthesized) -> None:
    # GIVEN a test user with mfa_options=[]
    erin = synthesized.users["Erin"]

    # WHEN the stack is synthesized
    settings = synthesized.resource(erin.mfa_settings.resource.node.default_child)

    # THEN its settings clear the options
    assert settings["Properties"]["MFAOptions"] == []


def test_test_user_exposes_user_and_settings(synthesized: Synthesized) -> None:
    # GIVEN a test user
    carol = synthesized.users["Carol"]

    # WHEN its children are read
    # THEN `.user` is the pool user and `.mfa_settings` the settings construct, at the documented ids
    assert isinstance(carol.user, cognito.CfnUserPoolUser)
    assert isinstance(carol.mfa_settings, UserSmsMfaSettings)
    assert carol.user.node.path == "TestStack/Carol/User"
    assert carol.mfa_settings.node.path == "TestStack/Carol/MfaSettings"


def test_test_user_attr_username_is_getatt_on_username(synthesized: Synthesized) -> None:
    # GIVEN a test user's settings
    settings = synthesized.users["Carol"].mfa_settings

    # WHEN its canonical username attribute is resolved
    resolved = settings.resource.stack.resolve(settings.attr_username)

    # THEN it is Fn::GetAtt on the settings resource's Username
    assert resolved == {"Fn::GetAtt": [logical_id(settings.resource.node.default_child), "Username"]}
