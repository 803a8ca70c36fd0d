"""The former home of the emulator and the rehearsal; ``python -m cognito_sms_mfa.local`` is kept as an alias."""
