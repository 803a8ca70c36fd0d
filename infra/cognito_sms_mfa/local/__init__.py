"""The local Cognito emulator (moto extended with AdminSetUserSettings) and the offline rehearsal."""
