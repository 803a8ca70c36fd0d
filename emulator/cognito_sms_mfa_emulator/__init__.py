"""The local Cognito emulator: moto's cognito-idp over real HTTP, extended with AdminSetUserSettings.

:class:`~cognito_sms_mfa_emulator.emulator.CognitoEmulator` is the endpoint; :mod:`.clients` builds boto3 clients
for it and :mod:`.offline` holds the dummy credentials; :mod:`.pytest_plugin` is the ``cognito_emulator``
fixture and ``python -m cognito_sms_mfa_emulator`` serves it from the command line. Nothing is imported here, so
that pytest loading the plugin at start-up loads no moto (about 0.5 s): each name is imported from its module.
"""
