"""The offline rehearsal: a synthesized cloud assembly's custom resources run against the local Cognito emulator.

:mod:`.rehearsal` is the run, ``python -m cognito_sms_mfa_rehearsal`` its command line. It talks to the emulator
over HTTP only, and invokes the real bundled handler asset in a Lambda-like child process (:mod:`.lambda_runner`).
"""
