"""The Lambda handler of the cdk-cognito-sms-mfa custom resources (shipped in the asset as this package folder).

Standard library, boto3 and crhelper only: the construct library imports :mod:`.rules` from here too, so the
synth-time checks and the deploy-time checks are one table.
"""
