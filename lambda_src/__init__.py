"""Lambda asset sources; importable as ``cognito_sms_mfa.handler`` only so the construct can share its rules."""
