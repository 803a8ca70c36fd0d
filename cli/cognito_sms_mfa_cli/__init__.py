"""The ``cognito-sms-mfa`` command: ``drift``, and the rehearsal and the emulator as subcommands."""
