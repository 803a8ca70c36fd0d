"""The example CDK app (``cdk.json`` points here): one stack, checked by cdk-nag's AwsSolutions pack."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks
from example_stack import ExampleStack

app = App()
ExampleStack(app, "CognitoSmsMfaExample")
Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()
