"""Compliance of the synthesized templates: cfn-lint finds no errors, cdk-nag's AwsSolutions pack no findings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import lint  # type: ignore[import-untyped]

from cognito_sms_mfa import MfaFactor, SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings, UserSmsMfaSettingsBatch

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.slow

EXAMPLE_STACK = "CognitoSmsMfaExample"
LINT_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
# The pool is not ours: its own findings are acknowledged here, as an app that uses the constructs would.
POOL_ACKNOWLEDGEMENTS = {
    "AwsSolutions::AwsSolutions-COG2": "Optional MFA: some test users have SMS MFA, some have it cleared.",
    "AwsSolutions::AwsSolutions-COG8": "A pool of test users does not need the Plus feature plan.",
}
SMS_ROLE_ACKNOWLEDGEMENTS = {
    "AwsSolutions::AwsSolutions-IAM5[Resource::*]": "Cognito's SMS role publishes to phone numbers, which have no ARN.",
}
# The test user's password secret is the app's too.
SECRET_REASON = "A test user's password changes with the template, not by a rotation Lambda."


def add_pool(stack: Stack, construct_id: str) -> cognito.UserPool:
    """A pool with optional SMS MFA and a strong password policy, its own cdk-nag findings acknowledged."""
    pool = cognito.UserPool(
        stack,
        construct_id,
        mfa=cognito.Mfa.OPTIONAL,
        mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
        password_policy=cognito.PasswordPolicy(
            min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
        ),
    )
    for scope, reasons in ((pool, POOL_ACKNOWLEDGEMENTS), (pool.node.find_child("smsRole"), SMS_ROLE_ACKNOWLEDGEMENTS)):
        for rule, reason in reasons.items():
            Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
    return pool


def declare_two_pools(stack: Stack) -> None:
    """Every construct of the library, across two pools and an imported one."""
    first = add_pool(stack, "First")
    second = add_pool(stack, "Second")
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=first, username="alice")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=second, username="bob", mfa_options=[])
    UserSmsMfaSettings(stack, "DaveMfa", user_pool=imported, username="dave")
    password = secretsmanager.Secret(stack, "CarolPassword")
    Validations.of(password).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-SMG4", reason=SECRET_REASON))
    SmsMfaTestUser(stack, "Carol", user_pool=second, username="carol", phone_number="+15555550123", password=password)
    UserMfaPreference(stack, "AlicePreference", user_pool=first, username="alice")
    UserMfaPreference(stack, "ErinPreference", user_pool=imported, username="erin", sms=MfaFactor.ENABLED)


@pytest.fixture(scope="module")
def two_pool_template(new_stack: Callable[[], Stack]) -> dict[str, Any]:
    stack = new_stack()
    declare_two_pools(stack)
    return dict(Template.from_stack(stack).to_json())


@pytest.fixture(scope="module")
def templates(example_cloud_assembly: Path, two_pool_template: dict[str, Any]) -> dict[str, str]:
    """Every template the tests synthesize for linting, by name."""
    return {
        "example-app": (example_cloud_assembly / f"{EXAMPLE_STACK}.template.json").read_text(),
        "two-pools": json.dumps(two_pool_template),
    }


def read_report(outdir: Path) -> dict[str, Any]:
    """The AwsSolutions plugin's part of the policy-validation report written by synthesis."""
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["pluginName"] == "AwsSolutions"
    result: dict[str, Any] = plugin
    return result


def acknowledged_paths(plugin_report: dict[str, Any]) -> set[tuple[str, str]]:
    """(rule, construct path) of every finding the report lists as acknowledged."""
    return {
        (violation["ruleName"], construct["constructPath"])
        for violation in plugin_report["suppressedViolations"]
        for construct in violation["violatingConstructs"]
    }


@pytest.mark.parametrize(
    "name", [pytest.param("example-app", id="example-app"), pytest.param("two-pools", id="two-pools")]
)
def test_cfn_lint_template_has_no_errors(templates: dict[str, str], name: str) -> None:
    # GIVEN a synthesized template
    template = templates[name]

    # WHEN cfn-lint checks it in several Regions
    matches = lint(template, regions=LINT_REGIONS)

    # THEN it reports no error (warnings, if any, are shown on failure)
    errors = [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches if m.rule.id.startswith("E")]
    warnings = [f"{m.rule.id}: {m.message}" for m in matches if not m.rule.id.startswith("E")]
    assert errors == [], f"warnings: {warnings}"


@pytest.mark.parametrize(
    "name", [pytest.param("example-app", id="example-app"), pytest.param("two-pools", id="two-pools")]
)
def test_cfn_lint_finds_no_redundant_depends_on(templates: dict[str, str], name: str) -> None:
    # GIVEN a synthesized template
    template = templates[name]

    # WHEN cfn-lint checks it
    matches = lint(template, regions=LINT_REGIONS)

    # THEN no DependsOn repeats what a Ref or GetAtt already enforces (W3005: the function's role), and every
    # custom resource still depends on the handler's Cognito policy
    assert [f"{m.path_string}: {m.message}" for m in matches if m.rule.id == "W3005"] == []
    resources = json.loads(template)["Resources"]
    [policy] = [lid for lid in resources if lid.startswith("CognitoSmsMfaHandler9f1c2eCognitoPolicy")]
    custom = {lid: r for lid, r in resources.items() if r["Type"].startswith("Custom::")}
    assert custom
    assert all(policy in r["DependsOn"] for r in custom.values())
    [function] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert [d for d in function["DependsOn"] if "DefaultPolicy" in d]  # the log grant exists before it runs


def test_cdk_nag_constructs_have_no_findings(tmp_path: Path) -> None:
    # GIVEN an app with the library's constructs and pools whose own findings are acknowledged
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "NagStack")
    declare_two_pools(stack)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    # WHEN it is synthesized with the AwsSolutions pack
    app.synth()
    report = read_report(tmp_path)

    # THEN nothing is found, and every acknowledged finding is on a pool, none on the library's resources
    assert report["violations"] == []
    assert report["conclusion"] == "success"
    assert acknowledged_paths(report) == {
        ("AwsSolutions-COG2", "NagStack/First/Resource"),
        ("AwsSolutions-COG8", "NagStack/First/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "NagStack/First/smsRole/Resource"),
        ("AwsSolutions-COG2", "NagStack/Second/Resource"),
        ("AwsSolutions-COG8", "NagStack/Second/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "NagStack/Second/smsRole/Resource"),
        ("AwsSolutions-SMG4", "NagStack/CarolPassword/Resource"),
    }


def test_cdk_nag_example_app_has_no_unacknowledged_findings(example_cloud_assembly: Path) -> None:
    # GIVEN the example app, synthesized with cdk-nag's AwsSolutions pack as `cdk synth` runs it
    # WHEN its validation report is read
    report = read_report(example_cloud_assembly)

    # THEN nothing is unacknowledged, and what is acknowledged belongs to the example's pool and its test user's
    # password secret (the app's own resources, not the library's)
    assert report["violations"] == []
    assert report["conclusion"] == "success"
    assert acknowledged_paths(report) == {
        ("AwsSolutions-SMG4", f"{EXAMPLE_STACK}/CarolPassword/Resource"),
        ("AwsSolutions-COG2", f"{EXAMPLE_STACK}/Pool/Resource"),
        ("AwsSolutions-COG8", f"{EXAMPLE_STACK}/Pool/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", f"{EXAMPLE_STACK}/Pool/smsRole/Resource"),
    }


def test_cdk_nag_finds_nothing_on_a_batch_that_goes_on_over_invocations(tmp_path: Path) -> None:
    # GIVEN a batch too long for one invocation: its role gets the continuation's rule (a name prefix) and the
    # permission on its own function
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "NagBatch")
    pool = add_pool(stack, "Pool")
    UserSmsMfaSettingsBatch(stack, "Everyone", user_pool=pool, usernames=[f"u{i}" for i in range(15_000)])
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    # WHEN it is synthesized with the AwsSolutions pack
    app.synth()
    report = read_report(tmp_path)
    # THEN nothing is found; the rule prefix is the one finding acknowledged on the library's resources, with why
    assert report["violations"] == []
    library = {path for path in acknowledged_paths(report) if not path[1].startswith("NagBatch/Pool/")}
    (logical_id,) = Template.from_stack(stack).find_resources("Custom::CognitoUserSmsMfaSettingsBatch")
    rule = f"arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/{logical_id}*"
    assert library == {(f"AwsSolutions-IAM5[Resource::{rule}]", "NagBatch/Everyone/Continue/Resource")}
