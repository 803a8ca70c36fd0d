"""``python -m cognito_sms_mfa.local``: the former name of ``python -m cognito_sms_mfa_emulator``."""

from cognito_sms_mfa_emulator.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
