"""The ``Custom::CognitoUserSmsMfaSettings`` resource that ``UserSmsMfaSettings`` synthesizes."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from typing import TYPE_CHECKING, Any

import jsii
import pytest
from aws_cdk import CfnElement, Duration, Fn, IStableStringProducer, Lazy
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from cognito_sms_mfa import MfaOption, UserSmsMfaSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_cdk import Stack
    from constructs import IConstruct

RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
SMS_OPTION = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def logical_id(element: IConstruct | None) -> str:
    """The logical id of a CloudFormation element (for example a construct's ``node.default_child``)."""
    assert isinstance(element, CfnElement)
    return element.stack.get_logical_id(element)


@jsii.implements(IStableStringProducer)
class InvalidUsernameProducer:
    """Produces, at synthesis only, a username the construct would reject as a literal."""

    def produce(self) -> str | None:
        return "not valid"


@dataclass(frozen=True)
class Synthesized:
    stack: Stack
    template: Template
    pool: cognito.UserPool
    settings: dict[str, UserSmsMfaSettings]

    def properties(self, name: str) -> dict[str, Any]:
        """The synthesized ``Properties`` of the settings construct ``name``."""
        resource_id = logical_id(self.settings[name].resource.node.default_child)
        properties: dict[str, Any] = self.template.to_json()["Resources"][resource_id]["Properties"]
        return properties

    def service_token(self) -> dict[str, Any]:
        """The ``ServiceToken`` every settings resource must carry: the ARN of the stack's only function."""
        (function_id,) = self.template.find_resources("AWS::Lambda::Function")
        return {"Fn::GetAtt": [function_id, "Arn"]}

    def pool_ref(self) -> dict[str, str]:
        return {"Ref": logical_id(self.pool.node.default_child)}


@pytest.fixture(scope="module")
def synthesized(new_stack: Callable[[], Stack]) -> Synthesized:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    settings = {
        "Default": UserSmsMfaSettings(stack, "Default", user_pool=pool, username="alice"),
        "Cleared": UserSmsMfaSettings(stack, "Cleared", user_pool=pool, username="bob", mfa_options=[]),
        "Explicit": UserSmsMfaSettings(stack, "Explicit", user_pool=pool, username="dave", mfa_options=[MfaOption()]),
        "Slow": UserSmsMfaSettings(
            stack, "Slow", user_pool=pool, username="carol", service_timeout=Duration.minutes(15)
        ),
    }
    return Synthesized(stack, Template.from_stack(stack), pool, settings)


def test_settings_resource_type_is_custom_cognito_user_sms_mfa_settings(synthesized: Synthesized) -> None:
    # GIVEN four settings constructs in one stack
    # WHEN the stack is synthesized
    resources = synthesized.template.find_resources(RESOURCE_TYPE)

    # THEN each is one resource of the custom type
    assert len(resources) == 4


def test_settings_default_options_render_sms_on_phone_number_with_default_timeout(synthesized: Synthesized) -> None:
    # GIVEN UserSmsMfaSettings without mfa_options or service_timeout
    # WHEN the stack is synthesized
    properties = synthesized.properties("Default")

    # THEN the resource has exactly the five properties, with SMS on phone_number and a 300 s ServiceTimeout
    assert properties == {
        "ServiceToken": synthesized.service_token(),
        "ServiceTimeout": "300",
        "UserPoolId": synthesized.pool_ref(),
        "Username": "alice",
        "MFAOptions": [SMS_OPTION],
    }


def test_settings_empty_options_render_empty_list(synthesized: Synthesized) -> None:
    # GIVEN UserSmsMfaSettings with mfa_options=[]
    # WHEN the stack is synthesized
    properties = synthesized.properties("Cleared")

    # THEN MFAOptions is an empty list (the options are cleared), not left out
    assert properties == {
        "ServiceToken": synthesized.service_token(),
        "ServiceTimeout": "300",
        "UserPoolId": synthesized.pool_ref(),
        "Username": "bob",
        "MFAOptions": [],
    }


def test_settings_explicit_sms_option_renders_like_default(synthesized: Synthesized) -> None:
    # GIVEN UserSmsMfaSettings with mfa_options=[MfaOption()]
    # WHEN the stack is synthesized
    properties = synthesized.properties("Explicit")

    # THEN MFAOptions holds the one SMS option
    assert properties["MFAOptions"] == [SMS_OPTION]


def test_settings_custom_service_timeout_renders_in_seconds(synthesized: Synthesized) -> None:
    # GIVEN UserSmsMfaSettings with service_timeout=Duration.minutes(15)
    # WHEN the stack is synthesized
    properties = synthesized.properties("Slow")

    # THEN ServiceTimeout is 900 seconds, as a string
    assert properties == {
        "ServiceToken": synthesized.service_token(),
        "ServiceTimeout": "900",
        "UserPoolId": synthesized.pool_ref(),
        "Username": "carol",
        "MFAOptions": [SMS_OPTION],
    }


@pytest.mark.parametrize(
    ("seconds", "rendered"),
    [pytest.param(150, "150", id="lower-bound"), pytest.param(3600, "3600", id="upper-bound")],
)
def test_settings_service_timeout_at_bound_is_accepted(
    stack: Stack, pool: cognito.UserPool, seconds: int, rendered: str
) -> None:
    # GIVEN a service_timeout at one end of 150-3600 seconds
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", service_timeout=Duration.seconds(seconds))

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)

    # THEN it is rendered unchanged
    template.has_resource_properties(RESOURCE_TYPE, {"ServiceTimeout": rendered})


def test_settings_attributes_are_getatt_on_the_resource(synthesized: Synthesized) -> None:
    # GIVEN a synthesized settings construct
    settings = synthesized.settings["Default"]
    resource_id = logical_id(settings.resource.node.default_child)

    # WHEN its attributes are resolved
    username = synthesized.stack.resolve(settings.attr_username)
    user_pool_id = synthesized.stack.resolve(settings.attr_user_pool_id)

    # THEN they read the handler's Data through Fn::GetAtt
    assert username == {"Fn::GetAtt": [resource_id, "Username"]}
    assert user_pool_id == {"Fn::GetAtt": [resource_id, "UserPoolId"]}


def test_settings_exposes_pool_and_options(synthesized: Synthesized) -> None:
    # GIVEN settings constructs with and without mfa_options
    # WHEN their read-only properties are read
    default, cleared = synthesized.settings["Default"], synthesized.settings["Cleared"]

    # THEN they hold the pool and the options as given (the default filled in)
    assert default.user_pool is synthesized.pool
    assert default.mfa_options == (MfaOption.sms(),)
    assert cleared.mfa_options == ()


def test_settings_token_username_and_pool_id_pass_through_untouched(stack: Stack) -> None:
    # GIVEN a pool imported by an unresolved id and a username taken from a user resource's Ref
    pool = cognito.UserPool.from_user_pool_id(stack, "Imported", Fn.import_value("SharedPoolId"))
    user = cognito.CfnUserPoolUser(stack, "User", user_pool_id=pool.user_pool_id, username=Fn.import_value("Name"))

    # WHEN settings are declared for them and the stack is synthesized
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username=user.ref)
    template = Template.from_stack(stack)

    # THEN neither is validated and both appear as the tokens they are
    template.has_resource_properties(
        RESOURCE_TYPE,
        {"UserPoolId": {"Fn::ImportValue": "SharedPoolId"}, "Username": {"Ref": logical_id(user)}},
    )


def test_settings_lazy_username_is_not_validated(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a username that is an unresolved token at construction and invalid once resolved
    username = Lazy.string(InvalidUsernameProducer())

    # WHEN settings are declared for it and the stack is synthesized
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username=username)
    template = Template.from_stack(stack)

    # THEN the construct passed it through for the handler to judge
    template.has_resource_properties(RESOURCE_TYPE, {"Username": "not valid"})


def test_mfa_option_sms_equals_default_option() -> None:
    # GIVEN the two spellings of the SMS option
    # WHEN they are compared
    # THEN they are equal, with the API's values
    assert MfaOption.sms() == MfaOption()
    assert MfaOption.sms() == MfaOption(delivery_medium="SMS", attribute_name="phone_number")
    assert MfaOption.sms().to_properties() == SMS_OPTION


def test_mfa_option_assignment_raises_frozen_instance_error() -> None:
    # GIVEN an option
    option = MfaOption.sms()

    # WHEN a field is assigned
    # THEN the option refuses: it is immutable
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'delivery_medium'"):
        option.delivery_medium = "EMAIL"  # type: ignore[misc]
