"""``UserSmsMfaSettingsBatch``: its resource, its manifest asset, its IAM and its synth-time checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import Duration, Fn
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from cognito_sms_mfa import MfaFactor, UserMfaPreference, UserSmsMfaSettings, UserSmsMfaSettingsBatch
from cognito_sms_mfa_lambda.manifest import MANIFEST_FORMAT, manifest_bytes, sha256

if TYPE_CHECKING:
    from aws_cdk import Stack

TYPE = "Custom::CognitoUserSmsMfaSettingsBatch"
NAMES = [f"user{i:04d}" for i in range(50)]


def _resource(stack: Stack) -> Any:
    (found,) = Template.from_stack(stack).find_resources(TYPE).values()
    return found


def test_properties_carry_the_location_digest_and_count_not_the_list(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)
    properties = _resource(stack)["Properties"]
    assert properties["ManifestSha256"] == sha256(manifest_bytes(NAMES))
    assert properties["UserCount"] == "50"
    assert properties["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert properties["MaxRequestsPerSecond"] == {"UserRead": "96", "UserUpdate": "20"}
    assert properties["ManifestKey"].endswith(".json")
    assert "user0001" not in json.dumps(Template.from_stack(stack).to_json())
    assert "SmsMfa" not in properties


def test_the_manifest_asset_is_the_list_itself_staged_in_the_cloud_assembly(
    stack: Stack, pool: cognito.UserPool
) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)
    assembly = stack.node.root.synth()  # type: ignore[attr-defined]
    key = _resource(stack)["Properties"]["ManifestKey"]
    staged = Path(assembly.directory) / f"asset.{key}"
    document = json.loads(staged.read_bytes())
    assert document == {"format": MANIFEST_FORMAT, "usernames": NAMES}
    assert sha256(staged.read_bytes()) == _resource(stack)["Properties"]["ManifestSha256"]


def test_the_same_list_gives_the_same_key_in_another_app(new_stack: Any) -> None:
    keys = []
    for _ in range(2):
        stack = new_stack()
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=cognito.UserPool(stack, "Pool"), usernames=NAMES)
        keys.append(_resource(stack)["Properties"]["ManifestKey"])
    assert keys[0] == keys[1]


def test_the_role_may_read_exactly_the_list_object(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)
    template = Template.from_stack(stack).to_json()
    key = _resource(stack)["Properties"]["ManifestKey"]
    statements = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("s3:") for action in [statement["Action"], *list(statement["Action"])])
    ]
    assert len(statements) == 3
    assert statements[0]["Action"] == "s3:GetObject"
    assert json.dumps(statements[0]["Resource"]).endswith(f'"/{key}"]]}}')
    # and its record of writes, one object next to the list named by the list's digest, the stack and the pool
    record, listing = statements[1:]
    assert record["Action"] == ["s3:GetObject", "s3:PutObject"]
    digest = _resource(stack)["Properties"]["ManifestSha256"]
    assert f'"/{digest}.cognito-sms-mfa-record."' in json.dumps(record["Resource"])
    assert '{"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}' in json.dumps(record["Resource"])
    assert json.dumps(record["Resource"]).endswith('".json"]]}')
    assert listing["Action"] == "s3:ListBucket"
    # listing exactly that key, so a record not yet written answers NoSuchKey
    record_key = record["Resource"]["Fn::Join"][1][4:]
    assert record_key[0].startswith("/")
    assert listing["Condition"]["StringEquals"]["s3:prefix"]["Fn::Join"][1] == [record_key[0][1:], *record_key[1:]]
    assert _resource(stack)["Properties"]["Record"] == "1"
    depends = _resource(stack)["DependsOn"]
    assert any(name.startswith("BatchReadUsernames") for name in depends)


def test_the_function_gets_the_batch_timeout(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)
    (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["Timeout"] == 900
    assert _resource(stack)["Properties"]["ServiceTimeout"] == "930"


def test_sms_preference_is_a_property_and_grants_the_preference_call(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES, sms_preference=MfaFactor.PREFERRED)
    assert _resource(stack)["Properties"]["SmsMfa"] == "PREFERRED"
    assert "cognito-idp:AdminSetUserMFAPreference" in json.dumps(Template.from_stack(stack).to_json())


def test_a_name_is_checked_with_its_index(stack: Stack, pool: cognito.UserPool) -> None:
    names = [*NAMES, "has space"]
    with pytest.raises(ValueError, match=r"TestStack/Batch: `usernames\[50\]` must contain only letters"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names)


def test_a_repeat_is_refused_naming_both_indexes(stack: Stack, pool: cognito.UserPool) -> None:
    with pytest.raises(ValueError, match=r"`usernames\[50\]` must not repeat a user; received 'user0007', the same "
                       r"user as `usernames\[7\]`"):  # fmt: skip
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=[*NAMES, "user0007"])


def test_a_repeat_in_another_case_is_refused_when_the_pool_is_case_insensitive(stack: Stack) -> None:
    insensitive = cognito.UserPool(stack, "Insensitive", sign_in_case_sensitive=False)
    with pytest.raises(ValueError, match=r"the same user as `usernames\[7\]` 'user0007' \(the pool is case-insens"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=insensitive, usernames=[*NAMES, "USER0007"])


def test_a_repeat_in_another_case_is_two_users_of_a_case_sensitive_pool(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=[*NAMES, "USER0007"])


def test_a_token_is_refused_pointing_to_the_single_construct(stack: Stack, pool: cognito.UserPool) -> None:
    user = cognito.CfnUserPoolUser(stack, "User", user_pool_id=pool.user_pool_id, username="x")
    with pytest.raises(TypeError, match=r"`usernames\[1\]` must be a literal username .* use UserSmsMfaSettings"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["a", user.ref])
    with pytest.raises(TypeError, match=r"`usernames\[0\]` must be a literal"):
        UserSmsMfaSettingsBatch(
            stack, "Batch2", user_pool=pool, usernames=[Fn.select(0, Fn.split("_", pool.user_pool_id))]
        )


@pytest.mark.parametrize("usernames", [pytest.param("alice", id="str"), pytest.param({"alice"}, id="set")])
def test_usernames_must_be_a_list(stack: Stack, pool: cognito.UserPool, usernames: Any) -> None:
    with pytest.raises(TypeError, match="`usernames` must be a list of usernames"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=usernames)


def test_an_empty_list_is_refused(stack: Stack, pool: cognito.UserPool) -> None:
    with pytest.raises(ValueError, match="`usernames` must list at least one user"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=[])


def test_a_user_of_a_single_settings_construct_is_refused(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettings(stack, "Single", user_pool=pool, username="user0003")
    with pytest.raises(ValueError, match=r"`usernames\[3\]` must be managed by one construct per pool and setting; "
                       r"received 'user0003', whose SMS MFA options \(`MFAOptions`\) TestStack/Single already "
                       r"manages in the same pool$"):  # fmt: skip
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)


def test_a_user_of_another_batch_is_refused_and_a_single_after_it_too(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES)
    with pytest.raises(ValueError, match=r"`usernames\[0\]` must be managed by one construct per pool and setting"):
        UserSmsMfaSettingsBatch(stack, "Other", user_pool=pool, usernames=["user0049"][::-1])
    with pytest.raises(ValueError, match="TestStack/Batch already manages in the same pool"):
        UserSmsMfaSettings(stack, "Single", user_pool=pool, username="user0010")


def test_a_preference_of_a_listed_user_is_refused_when_the_batch_manages_it(
    stack: Stack, pool: cognito.UserPool
) -> None:
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES, sms_preference=MfaFactor.ENABLED)
    with pytest.raises(ValueError, match=r"whose MFA preference \(`AdminSetUserMFAPreference`\) TestStack/Batch"):
        UserMfaPreference(stack, "Pref", user_pool=pool, username="user0001")


def _policies(stack: Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).find_resources("AWS::IAM::Policy"))


def _continuation_policy(stack: Stack) -> tuple[str, Any] | None:
    found = [(k, v) for k, v in _policies(stack).items() if k.startswith("BatchContinue")]
    return found[0] if found else None


def test_a_batch_that_fits_one_invocation_gets_no_continuation(stack: Stack, pool: cognito.UserPool) -> None:
    names = [f"u{i}" for i in range(14_000)]  # 14,000 / 96 + 14,000 / 20 = 846 s <= 870 s
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names)
    resource = _resource(stack)
    assert "Continuation" not in resource["Properties"]
    assert resource["Properties"]["ServiceTimeout"] == "930"
    assert _continuation_policy(stack) is None
    assert "events:" not in json.dumps(_policies(stack))


def test_a_batch_longer_than_one_invocation_continues_with_its_rule_and_permission_only(
    stack: Stack, pool: cognito.UserPool
) -> None:
    # GIVEN 15,000 users: 15,000 / 96 + 15,000 / 20 = 906 s, more than one invocation's 870 s
    names = [f"u{i}" for i in range(15_000)]
    # WHEN
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names)
    # THEN the resource may continue, waits CloudFormation's hour, and depends on the continuation's grant
    resource = _resource(stack)
    assert resource["Properties"]["Continuation"] == "true"
    assert resource["Properties"]["ServiceTimeout"] == "3600"
    found = _continuation_policy(stack)
    assert found is not None
    policy_id, policy = found
    assert policy_id in resource["DependsOn"]
    [rule, function] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(rule["Action"]) == [
        "events:DeleteRule", "events:DisableRule", "events:EnableRule",
        "events:PutRule", "events:PutTargets", "events:RemoveTargets",
    ]  # fmt: skip
    (logical_id,) = Template.from_stack(stack).find_resources(TYPE)
    assert rule["Resource"]["Fn::Join"][1][-1] == f":rule/{logical_id}*"
    assert sorted(function["Action"]) == ["lambda:AddPermission", "lambda:RemovePermission"]
    assert list(function["Resource"]["Fn::GetAtt"]) == [_function_id(stack), "Arn"]


def _function_id(stack: Stack) -> str:
    (function_id,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    return str(function_id)


def test_a_batch_that_cannot_fit_the_hour_shows_the_arithmetic(stack: Stack, pool: cognito.UserPool) -> None:
    names = [f"u{i}" for i in range(60_000)]
    with pytest.raises(
        ValueError,
        match=r"received 60,000 users, whose least time is 60,000 UserRead / 96/s \+ 60,000 UserUpdate / 20/s = "
        r"3,625 s > \(3,600 s - 30 s\) x 870 / \(870 \+ 60\) = 3,340 s",
    ):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names)


def test_a_shorter_service_timeout_holds_fewer_users(stack: Stack, pool: cognito.UserPool) -> None:
    names = [f"u{i}" for i in range(30_000)]  # 1,825 s of least time
    with pytest.raises(ValueError, match=r"> \(1,800 s - 30 s\) x 870 / \(870 \+ 60\) = 1,656 s"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names, service_timeout=Duration.minutes(30))


def test_a_continuing_batch_with_a_logical_id_too_long_for_its_rule_is_refused(
    stack: Stack, pool: cognito.UserPool
) -> None:
    names = [f"u{i}" for i in range(15_000)]
    with pytest.raises(ValueError, match=r"must be at most 56 characters \(it names an EventBridge rule"):
        UserSmsMfaSettingsBatch(stack, "B" * 60, user_pool=pool, usernames=names)


def test_a_raised_rate_lets_a_larger_batch_fit(stack: Stack, pool: cognito.UserPool) -> None:
    names = [f"u{i}" for i in range(15_000)]
    rates = {"UserRead": 200, "UserUpdate": 40}
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names, max_requests_per_second=rates)
    assert _resource(stack)["Properties"]["MaxRequestsPerSecond"] == {"UserRead": "200", "UserUpdate": "40"}


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        pytest.param({"UserWrite": 1}, "keys must be UserRead or UserUpdate", id="unknown-category"),
        pytest.param({"UserUpdate": 0}, r"`max_requests_per_second\['UserUpdate'\]` must be a number above 0", id="0"),
    ],
)
def test_rates_are_checked(stack: Stack, pool: cognito.UserPool, rates: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES, max_requests_per_second=rates)


def test_a_service_timeout_below_the_batch_function_timeout_is_refused(stack: Stack, pool: cognito.UserPool) -> None:
    with pytest.raises(ValueError, match="`service_timeout` of a batch must be 930-3600 seconds"):
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=NAMES, service_timeout=Duration.minutes(5))


# One pace per stack, shared by its batches (CloudFormation runs them in parallel) ----------------------------------


def _batches(stack: Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).find_resources(TYPE))


def test_two_batches_of_a_stack_each_pace_at_half_of_the_stacks_pace(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN two batches with the default pace
    UserSmsMfaSettingsBatch(stack, "Staff", user_pool=pool, usernames=NAMES[:25])
    UserSmsMfaSettingsBatch(stack, "Admins", user_pool=pool, usernames=NAMES[25:])
    # WHEN synthesized
    rates = [resource["Properties"]["MaxRequestsPerSecond"] for resource in _batches(stack).values()]
    # THEN each carries half of 80 % of the quotas, so that together they stay at 80 %
    assert rates == [{"UserRead": "48", "UserUpdate": "10"}] * 2


@pytest.mark.parametrize("giver_first", [pytest.param(True, id="giver-first"), pytest.param(False, id="giver-last")])
def test_a_pace_given_by_one_batch_is_the_stacks_in_any_order(
    stack: Stack, pool: cognito.UserPool, giver_first: bool
) -> None:
    # GIVEN one batch that gives a raised pace and one that does not, in either order
    raised: dict[str, float] = {"UserRead": 200, "UserUpdate": 40}
    declared = [("A", NAMES[:25], raised), ("B", NAMES[25:], None)]
    for construct_id, names, given in declared if giver_first else declared[::-1]:
        UserSmsMfaSettingsBatch(stack, construct_id, user_pool=pool, usernames=names, max_requests_per_second=given)
    # WHEN / THEN both share the raised pace
    rates = [resource["Properties"]["MaxRequestsPerSecond"] for resource in _batches(stack).values()]
    assert rates == [{"UserRead": "100", "UserUpdate": "20"}] * 2


def test_batches_giving_different_paces_are_refused(stack: Stack, pool: cognito.UserPool) -> None:
    UserSmsMfaSettingsBatch(stack, "A", user_pool=pool, usernames=NAMES[:25], max_requests_per_second={"UserRead": 50})
    with pytest.raises(ValueError, match="must be the same for every batch") as raised:
        UserSmsMfaSettingsBatch(
            stack, "B", user_pool=pool, usernames=NAMES[25:], max_requests_per_second={"UserRead": 60}
        )
    assert str(raised.value) == (
        "TestStack/B: `max_requests_per_second` must be the same for every batch of a stack (they share one pace per "
        "quota category, each running at its share); received UserRead 60/s, UserUpdate 20/s, but TestStack/A gave "
        "UserRead 50/s, UserUpdate 20/s"
    )


def test_a_batch_that_no_longer_fits_one_invocation_at_its_share_goes_on_in_further_ones(
    stack: Stack, pool: cognito.UserPool
) -> None:
    # GIVEN a batch that alone fits one invocation (14,000 / 96 + 14,000 / 20 = 846 s), then a second batch
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=[f"u{i}" for i in range(14_000)])
    UserSmsMfaSettingsBatch(stack, "Other", user_pool=pool, usernames=["someone"])
    # WHEN synthesized: at its share, 14,000 / 48 + 14,000 / 10 = 1,692 s
    batch = next(r for key, r in _batches(stack).items() if key.startswith("Batch"))
    # THEN it may continue, waits CloudFormation's hour and has the rule's grant
    assert batch["Properties"]["Continuation"] == "true"
    assert batch["Properties"]["ServiceTimeout"] == "3600"
    assert batch["Properties"]["MaxRequestsPerSecond"] == {"UserRead": "48", "UserUpdate": "10"}
    assert _continuation_policy(stack) is not None


def test_the_batch_waits_for_each_listed_user_the_stack_declares_and_nothing_else(
    stack: Stack, pool: cognito.UserPool
) -> None:
    # GIVEN a batch of three users, two of them declared in the stack (one before the batch, one after), a declared
    # user the batch does not list, and a namesake of a listed user in another pool
    other_pool = cognito.UserPool(stack, "OtherPool", mfa=cognito.Mfa.OPTIONAL)
    before = cognito.CfnUserPoolUser(stack, "Before", user_pool_id=pool.user_pool_id, username="user0000")
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["user0000", "user0001", "user0002"])
    after = cognito.CfnUserPoolUser(stack, "After", user_pool_id=pool.user_pool_id, username="user0001")
    cognito.CfnUserPoolUser(stack, "Neighbour", user_pool_id=pool.user_pool_id, username="user9999")
    cognito.CfnUserPoolUser(stack, "Namesake", user_pool_id=other_pool.user_pool_id, username="user0002")
    # WHEN the stack is synthesized
    template = Template.from_stack(stack).to_json()["Resources"]
    ids = {stack.resolve(user.ref)["Ref"] for user in (before, after)}
    # THEN the batch's resource depends on exactly the two declared listed users, besides its grants
    (resource,) = (one for one in template.values() if one["Type"] == TYPE)
    users = {name for name in resource["DependsOn"] if template[name]["Type"] == "AWS::Cognito::UserPoolUser"}
    assert users == ids
    # and its grants (IAM policies) do not wait for any user
    policies = [one for one in template.values() if one["Type"] == "AWS::IAM::Policy"]
    assert policies
    assert not [name for one in policies for name in one.get("DependsOn", []) if name in ids]
