"""What ``cognito-sms-mfa export`` writes for a pool's users: which users go in which usernames file (one per state
a ``UserSmsMfaSettingsBatch`` can declare), and the Python snippet that declares them. Plain functions: no boto3.

A user's state is what the handler's own reconcile reads (:func:`settings_batch_decisions.user_state`): the legacy
options and the SMS factor. Each exported group is checked against the handler's :func:`writes_needed`: a deploy of
the snippet finds every exported user already right and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cognito_sms_mfa_lambda import settings_batch_decisions
from cognito_sms_mfa_lambda.rules import MfaFactor, MfaOption

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from cognito_sms_mfa_lambda.settings_batch_decisions import UserState

SNIPPET_FILE = "sms_mfa_export.py"
NO_PHONE = "no phone_number: a batch cannot manage it (Create fails for a listed user without one)"
OTHER_OPTIONS = "MFAOptions other than SMS to phone_number, which a batch does not declare"


@dataclass(frozen=True)
class Group:
    """One state a batch declares: its usernames file, the construct id the snippet gives it, and the target."""

    file: str
    construct_id: str
    sms_options: bool
    sms: MfaFactor | None  # None: the SMS factor is not managed

    @property
    def target(self) -> settings_batch_decisions.Target:
        options = (MfaOption.sms(),) if self.sms_options else ()
        return settings_batch_decisions.Target(options, self.sms)

    def arguments(self) -> str:
        """The snippet's keyword arguments for the group besides pool and usernames."""
        found = [] if self.sms_options else ["mfa_options=[]"]
        found += [] if self.sms is None else [f"sms_preference=MfaFactor.{self.sms.name}"]
        return "".join(f", {argument}" for argument in found)


GROUPS = (
    Group("sms-options-sms-preferred.txt", "ExportedSmsOptionsSmsPreferred", True, MfaFactor.PREFERRED),
    Group("sms-options-sms-enabled.txt", "ExportedSmsOptionsSmsEnabled", True, MfaFactor.ENABLED),
    Group("sms-options.txt", "ExportedSmsOptions", True, None),
    Group("sms-preferred.txt", "ExportedSmsPreferred", False, MfaFactor.PREFERRED),
    Group("sms-enabled.txt", "ExportedSmsEnabled", False, MfaFactor.ENABLED),
)


def group_of(state: UserState) -> Group | str | None:
    """The group a user belongs in; None when nothing of SMS MFA is on (not exported); a string saying why a user
    with SMS MFA on cannot be exported."""
    options_on = bool(state.mfa_options)
    if not options_on and state.sms == MfaFactor.DISABLED:
        return None
    if options_on and state.mfa_options != (MfaOption.sms(),):
        return OTHER_OPTIONS
    if not state.has_phone:
        return NO_PHONE
    sms = None if options_on and state.sms == MfaFactor.DISABLED else state.sms
    [group] = [g for g in GROUPS if g.sms_options == options_on and g.sms == sms]
    if settings_batch_decisions.writes_needed(state, group.target):  # the handler's reconcile: never here
        raise AssertionError(f"{state.username}: group {group.file} would write")
    return group


def usernames_file(names: Sequence[str]) -> str:
    """One username a line (a username holds no white space), sorted."""
    return "".join(f"{name}\n" for name in sorted(names))


def snippet(user_pool_id: str, region: str, exported: Mapping[Group, Sequence[str]]) -> str:
    """The Python module that declares the exported state with one ``UserSmsMfaSettingsBatch`` per file."""
    batches = "".join(
        f"        UserSmsMfaSettingsBatch(\n"
        f'            scope, "{group.construct_id}", user_pool=pool, usernames=usernames("{group.file}")'
        f"{group.arguments()}\n"
        f"        ),  # {len(names):,} user{'' if len(names) == 1 else 's'}\n"
        for group, names in exported.items()
        if names
    )
    total = sum(len(names) for names in exported.values())
    factor = "MfaFactor, " if any(group.sms is not None and names for group, names in exported.items()) else ""
    return f'''"""SMS MFA of {total:,} users of pool {user_pool_id} ({region}), exported by `cognito-sms-mfa export`.

Declare it in the stack that manages the pool's users::

    from sms_mfa_export import add_exported_sms_mfa
    pool = cognito.UserPool.from_user_pool_id(self, "Pool", "{user_pool_id}")  # or the pool of your app
    add_exported_sms_mfa(self, pool)

A deploy finds every listed user already in the state declared and writes nothing; `cognito-sms-mfa drift` then
reports the stack in sync. The usernames files sit next to this module, one username a line.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_cognito as cognito
from constructs import Construct

from cognito_sms_mfa import {factor}UserSmsMfaSettingsBatch

HERE = Path(__file__).resolve().parent


def usernames(file_name: str) -> list[str]:
    """The usernames of one exported file."""
    return (HERE / file_name).read_text().split()


def add_exported_sms_mfa(scope: Construct, pool: cognito.IUserPool) -> list[UserSmsMfaSettingsBatch]:
    """One batch per exported state, in ``scope``, for the users of ``pool``."""
    return [
{batches}    ]
'''
