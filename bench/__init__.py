"""Benchmarks of cdk-cognito-sms-mfa against its anchors; ``make bench`` runs them and writes docs/benchmarks.md."""
