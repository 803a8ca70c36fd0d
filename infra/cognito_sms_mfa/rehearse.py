"""``python -m cognito_sms_mfa.rehearse``: the former name of ``python -m cognito_sms_mfa_rehearsal``."""

from cognito_sms_mfa_rehearsal.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
