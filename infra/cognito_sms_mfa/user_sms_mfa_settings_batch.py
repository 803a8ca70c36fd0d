"""``UserSmsMfaSettingsBatch``: the SMS MFA settings of many Cognito users, as one CloudFormation resource."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from aws_cdk import (
    AssetHashType,
    Aws,
    BundlingOptions,
    BundlingOutput,
    CfnResource,
    DockerImage,
    Duration,
    Fn,
    Stack,
    Token,
)
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from cognito_sms_mfa import checks
from cognito_sms_mfa.handler_asset import UNUSED_IMAGE, WriteFiles
from cognito_sms_mfa.sms_mfa_handler import (
    BATCH_HANDLER_TIMEOUT,
    PREFERENCE_ACTIONS,
    SETTINGS_ACTIONS,
    SmsMfaHandler,
    case_sensitive_usernames,
)
from cognito_sms_mfa_lambda import manifest, pacing, rules
from cognito_sms_mfa_lambda import settings_batch_decisions as decisions
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import MfaFactor

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_cdk import CustomResource
    from aws_cdk import aws_logs as logs

    from cognito_sms_mfa.sms_mfa_handler import PoolInfo
    from cognito_sms_mfa_lambda.rules import MfaOption

# CloudFormation waits for the handler's whole timeout plus the answer's delivery.
DEFAULT_BATCH_SERVICE_TIMEOUT = Duration.seconds(int(BATCH_HANDLER_TIMEOUT.to_seconds()) + 30)
# What one invocation may spend on Cognito calls: the function's timeout less what the answer needs.
BATCH_WORK_BUDGET_S = BATCH_HANDLER_TIMEOUT.to_seconds() - pacing.RESERVE_S
# A batch that goes on in further invocations waits CloudFormation's most by default.
CONTINUING_SERVICE_TIMEOUT = Duration.seconds(pacing.MAX_SERVICE_TIMEOUT_S)
# An EventBridge rule's name has at most 64 characters; crhelper names it the logical id and 8 random characters.
MAX_CONTINUING_LOGICAL_ID = 64 - 8
# What the role may do with the batch's record of writes (docs/design.md, batches, failure paths).
RECORD_ACTIONS = ("s3:GetObject", "s3:PutObject")
TOKEN_MARK = "Token["  # in every encoded CDK token (``${Token[...]}``, ``#{Token[...]}``); checked further by jsii
# Local bundling reads no source; CDK needs an existing folder to name as one.
_NO_SOURCE = str(Path(__file__).parent)


class UserSmsMfaSettingsBatch(Construct):
    """The SMS MFA options (and optionally the SMS MFA preference) of many existing users of one pool.

    Creates one ``Custom::CognitoUserSmsMfaSettingsBatch`` resource, served by the stack's one handler. The list of
    usernames travels as a content-hashed file asset (``usernames.json`` in the stack's asset bucket); the
    resource's properties carry its location, SHA-256 and count, so the template and CloudFormation's events stay
    small at any size. The handler's role may read exactly that object. Create reads every user first and fails
    before any write when a user is missing or has no ``phone_number``; Create, Update and Delete then write only
    the users whose state differs, paced per Cognito quota category. The request-by-request design is in
    ``docs/design.md`` (batches).

    Parameters
    ----------
    scope
        The parent construct.
    id
        The construct id; the resource is its child ``"Resource"``.
    user_pool
        The pool that holds the users (in the stack's account; its ``MfaConfiguration`` must be ``OPTIONAL`` or
        ``ON`` for SMS MFA to take effect).
    usernames
        The users: a list or tuple of literal usernames (or aliases Cognito accepts), at least one, no repeats
        (compared case-insensitively when the pool is a ``UserPool`` of the app with case-insensitive sign-in).
        A token is refused: a name known only at deploy time belongs in a ``UserSmsMfaSettings``.
    mfa_options
        The desired options of every listed user. Default: ``[MfaOption.sms()]``. ``[]`` clears them.
    sms_preference
        The SMS MFA preference Cognito checks at sign-in (``AdminSetUserMFAPreference``) for every listed user:
        ``MfaFactor.PREFERRED``, ``ENABLED`` or ``DISABLED``; Delete disables it. Default: not managed (left as it
        is, never written), as ``UserSmsMfaSettings`` leaves it.
    max_requests_per_second
        The stack's pace by quota category (``"UserRead"`` for ``AdminGetUser``, ``"UserUpdate"`` for the writes),
        shared by every batch of the stack: each of its N batches paces at 1/N of it (CloudFormation runs them at
        once). Default: 80 % of Cognito's default quotas, ``{"UserRead": 96, "UserUpdate": 20}``; the quota is shared
        with the app's own traffic in the account and Region, so raise it only with a raised quota. Batches that give
        it must give the same; the others take it.
    service_timeout
        How long CloudFormation waits for the handler. Default: 930 seconds (the function's 15-minute timeout in a
        stack with a batch, plus delivery) when the list fits one invocation, else 3600 seconds (the most, for a
        request that goes on in further invocations). Between 930 and 3600 seconds; a token passes unchecked.
    log_retention
        Retention of the stack's handler log group. Default: one month (shared by every construct of the stack).

    Raises
    ------
    ValueError
        When a name breaks Cognito's rules or repeats another (the message names its index, ``usernames[4127]``),
        when another settings construct of the stack manages the same user, when another batch of the stack gave
        another ``max_requests_per_second``, when the least time the work needs at the batch's share of the pace
        does not fit ``service_timeout`` at the duty of a continuation (the message shows the arithmetic), or when
        such a batch's logical id is longer than 56 characters (its rule's name).
    TypeError
        When ``usernames`` is not a list or tuple of strings, or a name is a token.

    Examples
    --------
    >>> UserSmsMfaSettingsBatch(stack, "AdminsMfa", user_pool=pool, usernames=["alice", "bob"])  # doctest: +SKIP
    >>> UserSmsMfaSettingsBatch(  # doctest: +SKIP
    ...     stack, "Staff", user_pool=pool, usernames=staff, sms_preference=MfaFactor.PREFERRED
    ... )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.IUserPool,
        usernames: Sequence[str],
        mfa_options: Sequence[MfaOption] | None = None,
        sms_preference: MfaFactor | None = None,
        max_requests_per_second: Mapping[str, float] | None = None,
        service_timeout: Duration | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        names = check_usernames(self, usernames, case_insensitive=known_case_insensitive(user_pool))
        options = checks.check_mfa_options(self, mfa_options)
        if sms_preference is not None and not isinstance(sms_preference, MfaFactor):
            raise TypeError(f"{self.node.path}: `sms_preference` must be an MfaFactor or None; received "
                            f"{rules.show(sms_preference)}")  # fmt: skip
        given_rates = None if max_requests_per_second is None else check_rates(self, max_requests_per_second)
        self._calls = least_calls(len(names), writes_per_user=1 if sms_preference is None else 2)
        self._service_timeout = service_timeout
        handler = SmsMfaHandler.of(scope, log_retention=log_retention, requested_by=self)
        rates = handler.add_batch(self, given_rates)  # the stack's pace, shared by its batches declared so far
        continues = pacing.least_time_s(self._calls, rates) > BATCH_WORK_BUDGET_S
        timeout = check_batch_service_timeout(self, service_timeout, continues=continues)
        check_fits(self, self._calls, rates, timeout, continues=continues)
        pool = checks.check_user_pool(self, user_pool, handler.checked_pools)
        handler.use_batch_timeout()
        handler.add_pool(user_pool, pool, SETTINGS_ACTIONS if sms_preference is None else
                         (*SETTINGS_ACTIONS, *PREFERENCE_ACTIONS), requested_by=self)  # fmt: skip
        self._claim(handler, pool, names, sms_preference)

        data = manifest.manifest_bytes(names)
        digest = manifest.sha256(data)
        self.manifest = s3_assets.Asset(
            self,
            "Usernames",
            path=_NO_SOURCE,
            asset_hash=digest,
            asset_hash_type=AssetHashType.CUSTOM,
            bundling=BundlingOptions(
                image=DockerImage.from_registry(UNUSED_IMAGE),
                local=WriteFiles({manifest.MANIFEST_FILE: data}),
                output_type=BundlingOutput.SINGLE_FILE,
            ),
        )
        # Named by the list's digest: a new list is a new policy, and the old one is removed only after
        # CloudFormation's cleanup Delete of the old resource, which still reads the old list.
        read_policy = handler.grant_manifest_read(
            self, f"ReadUsernames{digest[:16]}", self.manifest.bucket.arn_for_objects(self.manifest.s3_object_key)
        )
        self._grant_record(read_policy, digest, pool.pool_id)
        properties: dict[str, object] = {
            "UserPoolId": pool.pool_id,
            "ManifestBucket": self.manifest.s3_bucket_name,
            "ManifestKey": self.manifest.s3_object_key,
            "ManifestSha256": digest,
            "UserCount": str(len(names)),
            "MFAOptions": [option.to_properties() for option in options],
            "MaxRequestsPerSecond": rate_properties(rates),
        }
        if sms_preference is not None:
            properties[rules.SMS_FACTOR.property] = sms_preference.value
        if continues:
            properties["Continuation"] = "true"
        properties[decisions.RECORD_PROPERTY] = decisions.RECORD_VERSION
        self.user_pool = user_pool
        self.usernames = names
        self.mfa_options = options
        self.sms_preference = sms_preference
        self.resource: CustomResource = handler.custom_resource(self, SETTINGS_BATCH_RESOURCE_TYPE, properties, timeout)
        self.resource.node.add_dependency(read_policy)
        self.rates, self.continues = rates, False
        if continues:
            self._continue(handler)

    def _continue(self, handler: SmsMfaHandler) -> None:
        """Let the resource's requests go on in further invocations: the rule's grant and ``Continuation``."""
        self.continues = True
        logical_id = check_rule_name(self, self.resource)
        self.resource.node.add_dependency(handler.grant_continuation(self, "Continue", logical_id))

    def share_pace(self, handler: SmsMfaHandler, rates: Mapping[str, float]) -> None:
        """Pace the batch at ``rates``, its share of the stack's pace once every batch of the stack is known (run
        before synthesis): the properties carry it, and a batch that no longer fits one invocation at its share goes
        on in further ones (never the other way: a batch that may continue and fits one ends in one).

        Raises
        ------
        ValueError
            When the least time at the share does not fit ``service_timeout`` at a continuation's duty.
        """
        if dict(rates) == self.rates:
            return
        continues = self.continues or pacing.least_time_s(self._calls, rates) > BATCH_WORK_BUDGET_S
        timeout = check_batch_service_timeout(self, self._service_timeout, continues=continues)
        check_fits(self, self._calls, rates, timeout, continues=continues, shared=handler.batch_count())
        resource = cast("CfnResource", self.resource.node.default_child)
        resource.add_property_override("MaxRequestsPerSecond", rate_properties(rates))
        self.rates = dict(rates)
        if continues and not self.continues:
            resource.add_property_override("Continuation", "true")
            if self._service_timeout is None:
                resource.add_property_override("ServiceTimeout", str(int(timeout.to_seconds())))
            self._continue(handler)

    def _grant_record(self, policy: iam.Policy, digest: str, pool_id: str) -> None:
        """Let the role read and write this batch's record of writes, one object next to its list (named by the
        list's digest, the stack's id and the pool), and list the bucket at exactly that key, so a record not yet
        written answers ``NoSuchKey`` rather than ``AccessDenied``. Nothing else of the bucket: no asset can be
        overwritten, no other stack's or batch's record read."""
        stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
        key = manifest.record_prefix(digest, stack_uuid, pool_id) + "json"
        policy.add_statements(
            iam.PolicyStatement(actions=list(RECORD_ACTIONS), resources=[self.manifest.bucket.arn_for_objects(key)]),
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.manifest.bucket.bucket_arn],
                conditions={"StringEquals": {"s3:prefix": key}},
            ),
        )

    def _claim(self, handler: SmsMfaHandler, pool: PoolInfo, names: tuple[str, ...], sms: MfaFactor | None) -> None:
        """Claim every user for this construct, so a second settings (or preference) construct of one is refused."""
        managed = {"sms": sms.value} if sms is not None else None
        for index, name in enumerate(names):
            handler.claim_user(pool, name, self, field=f"usernames[{index}]")
            handler.add_settings(pool, name, self)
            if managed is not None:
                handler.claim_user(pool, name, self, kind="UserMfaPreference", field=f"usernames[{index}]")
                handler.claim_sms_preference(pool, name, self, managed, test_user=False)

    @property
    def attr_user_count(self) -> str:
        """The number of users listed (``Fn::GetAtt`` on ``UserCount``)."""
        return self.resource.get_att_string("UserCount")

    @property
    def attr_user_pool_id(self) -> str:
        """The pool id the resource applies to (``Fn::GetAtt`` on ``UserPoolId``)."""
        return self.resource.get_att_string("UserPoolId")


def known_case_insensitive(user_pool: cognito.IUserPool) -> bool:
    """Whether the pool is a ``UserPool`` of the app whose usernames are case-insensitive (imported: unknown)."""
    return case_sensitive_usernames(user_pool) is False


def check_usernames(scope: Construct, usernames: object, *, case_insensitive: bool) -> tuple[str, ...]:
    """Check the list: a list or tuple of literal strings, each a valid username, none repeated.

    Raises
    ------
    TypeError
        When the list is not a list or tuple, or an entry is not a string or is a token.
    ValueError
        When the list is empty, an entry breaks the username rule or repeats an earlier one.
    """
    path = scope.node.path
    if not isinstance(usernames, (list, tuple)):
        raise TypeError(f"{path}: `usernames` must be a list of usernames; received {rules.show(usernames)}")
    if not usernames:
        raise ValueError(f"{path}: `usernames` must list at least one user; received an empty list")
    seen: dict[str, int] = {}
    for index, name in enumerate(usernames):
        field = f"usernames[{index}]"
        if not isinstance(name, str):
            raise TypeError(f"{path}: `{field}` must be a string; received {rules.show(name)}")
        if TOKEN_MARK in name and Token.is_unresolved(name):
            raise TypeError(
                f"{path}: `{field}` must be a literal username (the list is written at synth); received a token: "
                "use UserSmsMfaSettings, which takes tokens, for a user known only at deploy time"
            )
        checks.check_field(scope, field, rules.username_problem(name))
        key = name.lower() if case_insensitive else name
        first = seen.setdefault(key, index)
        if first != index:
            same = " (the pool is case-insensitive)" if name != usernames[first] else ""
            raise ValueError(
                f"{path}: `{field}` must not repeat a user; received {rules.show(name)}, the same user as "
                f"`usernames[{first}]` {rules.show(usernames[first])}{same}"
            )
    return tuple(usernames)


def check_rates(scope: Construct, given: object) -> dict[str, float]:
    """The rate of each category: the defaults, with ``given`` (a mapping of category to a number above 0) over them."""
    rates = pacing.default_rates()
    if given is None:
        return rates
    if not isinstance(given, dict):
        raise TypeError(
            f"{scope.node.path}: `max_requests_per_second` must be a dict of category to requests per second; "
            f"received {rules.show(given)}"
        )
    for category, rate in given.items():
        if category not in rates:
            raise ValueError(
                f"{scope.node.path}: `max_requests_per_second` keys must be {' or '.join(rates)}; "
                f"received {rules.show(category)}"
            )
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise ValueError(
                f"{scope.node.path}: `max_requests_per_second[{category!r}]` must be a number above 0; "
                f"received {rules.show(rate)}"
            )
        rates[category] = float(rate)
    return rates


def rate_properties(rates: Mapping[str, float]) -> dict[str, str]:
    """``MaxRequestsPerSecond``: the rate of each category as a string (as CloudFormation sends numbers)."""
    return {category: f"{rate:g}" for category, rate in rates.items()}


def least_calls(users: int, *, writes_per_user: int) -> dict[str, int]:
    """The calls a batch's Create makes at the most, by category: every user read, then written."""
    return {pacing.USER_READ: users, pacing.USER_UPDATE: users * writes_per_user}


def check_fits(
    scope: Construct,
    calls: Mapping[str, int],
    rates: Mapping[str, float],
    timeout: Duration,
    *,
    continues: bool,
    shared: int = 1,
) -> None:
    """Refuse a batch whose least time does not fit: one invocation, or, for a batch that goes on in further
    invocations, ``timeout`` at a continuation's duty (``pacing.continuation_capacity_s``).

    Raises
    ------
    ValueError
        Showing the arithmetic: users x calls / paced rate, against the time the request has.
    """
    if not continues or timeout.is_unresolved():
        return
    seconds = timeout.to_seconds()
    least = pacing.least_time_s(calls, rates)
    if least > pacing.continuation_capacity_s(seconds, BATCH_WORK_BUDGET_S, pacing.RESERVE_S):
        users = calls[pacing.USER_READ]
        share = f" (its share of the pace of the stack's {shared} batches)" if shared > 1 else ""
        raise ValueError(
            f"{scope.node.path}: `usernames` must fit one stack operation; received {users:,} users, whose least "
            f"time is {pacing.describe_least_time(calls, rates)}{share} > "
            f"{pacing.describe_capacity(seconds, BATCH_WORK_BUDGET_S, pacing.RESERVE_S)} (`service_timeout` less "
            f"{pacing.RESERVE_S:.0f} s to answer, at {BATCH_WORK_BUDGET_S:.0f} s of work per invocation and up to "
            f"{pacing.POLL_INTERVAL_S:.0f} s between invocations): split the list into several batches (each stack "
            "operation runs them in parallel, sharing the quota) or raise `max_requests_per_second` with a raised "
            "quota"
        )


def check_rule_name(scope: Construct, resource: CustomResource) -> str:
    """The logical id of a batch that may continue, which names its EventBridge rule (with 8 more characters, of
    the 64 a rule's name may have).

    Raises
    ------
    ValueError
        When the logical id is longer than :data:`MAX_CONTINUING_LOGICAL_ID`.
    """
    logical_id = Stack.of(scope).resolve(cast("CfnResource", resource.node.default_child).logical_id)
    if isinstance(logical_id, str) and len(logical_id) > MAX_CONTINUING_LOGICAL_ID:
        raise ValueError(
            f"{scope.node.path}: the logical id of a batch that goes on in further invocations must be at most "
            f"{MAX_CONTINUING_LOGICAL_ID} characters (it names an EventBridge rule, with 8 more, of 64 at most); "
            f"received {logical_id!r} ({len(logical_id)}): give the construct a shorter id or path"
        )
    return str(logical_id)


def check_batch_service_timeout(scope: Construct, timeout: object, *, continues: bool) -> Duration:
    """``service_timeout`` of a batch: a Duration of at least the function's timeout plus delivery, at most an hour;
    by default the function's timeout plus delivery, or an hour for a batch that may go on in further invocations."""
    if timeout is None:
        return CONTINUING_SERVICE_TIMEOUT if continues else DEFAULT_BATCH_SERVICE_TIMEOUT
    checked = checks.check_service_timeout(scope, timeout)
    if checked.is_unresolved():
        return checked
    least = DEFAULT_BATCH_SERVICE_TIMEOUT.to_seconds()
    if checked.to_seconds() < least:
        raise ValueError(
            f"{scope.node.path}: `service_timeout` of a batch must be {least:.0f}-{pacing.MAX_SERVICE_TIMEOUT_S} "
            f"seconds (the handler runs up to {int(BATCH_HANDLER_TIMEOUT.to_seconds())} s); received "
            f"{checked.to_human_string()}"
        )
    return checked
