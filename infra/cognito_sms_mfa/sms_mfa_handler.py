"""The one handler per stack: function, role, log group and the policy every custom resource of the library depends on.

A plain ``SingletonFunction`` would deduplicate only the function; the role, the log group and the Cognito
policy must be shared too, so the whole group is one construct found by a fixed id at the stack's root.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import (
    Acknowledgment,
    Annotations,
    Aspects,
    Aws,
    CfnElement,
    CustomResource,
    Duration,
    IAspect,
    RemovalPolicy,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct, Node

from cognito_sms_mfa.handler_asset import HANDLER_ENTRY, handler_code
from cognito_sms_mfa_lambda import pacing, rules
from cognito_sms_mfa_lambda.own_stack import STACK_ID_ENV
from cognito_sms_mfa_lambda.resource import BATCH_FUNCTION_TIMEOUT_S, SINGLE_REQUEST_BUDGET_S

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from cognito_sms_mfa.user_sms_mfa_settings_batch import UserSmsMfaSettingsBatch

SINGLETON_ID = "CognitoSmsMfaHandler9f1c2e"
# Each stack's handler, by the stack's Python object (jsii hands back the same object for the same stack), so that
# the constructs of a stack find it without asking jsii: three round trips per construct less.
_HANDLERS: weakref.WeakKeyDictionary[Stack, SmsMfaHandler] = weakref.WeakKeyDictionary()
# The id of the synth-time warning on a construct whose pool of the app has MFA off (acknowledge it with
# ``Annotations.of(construct).acknowledge_warning(POOL_MFA_OFF_WARNING)``).
POOL_MFA_OFF_WARNING = "cognito-sms-mfa:poolMfaOff"
# What each kind of claim manages of a user, as a refusal names it: the settings construct, a batch and a test user's
# settings write the options; a preference and a batch with ``sms_preference`` the preference; a test user the user.
CLAIMED_SETTINGS = {
    "settings construct": "SMS MFA options (`MFAOptions`)",
    "UserMfaPreference": "MFA preference (`AdminSetUserMFAPreference`)",
    "test user": "user itself (a test user)",
}
# The id of the synth-time warning on settings whose literal username differs only by letter case from a user the
# stack declares in the same pool, whose usernames are (or may be) case-sensitive.
USERNAME_CASE_WARNING = "cognito-sms-mfa:usernameCase"


@dataclass(frozen=True)
class PoolInfo:
    """A pool as the handler sees it: its id (a token or a literal) and a key that is equal for equal pools."""

    pool_id: str
    literal: bool
    key: str

    @classmethod
    def of(cls, user_pool: cognito.IUserPool) -> PoolInfo:
        """The id of ``user_pool`` and its key: the literal id, or the resolved token (one pool imported or
        referenced twice gives one key)."""
        return cls.of_id(user_pool.user_pool_id, user_pool)

    @classmethod
    def of_id(cls, pool_id: str, scope: IConstruct) -> PoolInfo:
        """The same for a pool id found elsewhere (a ``CfnUserPoolUser``'s ``user_pool_id``) in ``scope``'s stack."""
        if not Token.is_unresolved(pool_id):
            return cls(pool_id, True, pool_id)
        return cls(pool_id, False, json.dumps(Stack.of(scope).resolve(pool_id), sort_keys=True))


HANDLER_TIMEOUT = Duration.seconds(SINGLE_REQUEST_BUDGET_S)
# The function's timeout in a stack with a batch (the single-user types keep HANDLER_TIMEOUT as their budget).
BATCH_HANDLER_TIMEOUT = Duration.seconds(BATCH_FUNCTION_TIMEOUT_S)
MANIFEST_READ_ACTION = "s3:GetObject"
HANDLER_MEMORY_MB = 256
# The Cognito actions, each granted only on the pools whose constructs call it (docs/design.md, IAM).
READ_ACTION = "cognito-idp:AdminGetUser"
SETTINGS_ACTION = "cognito-idp:AdminSetUserSettings"
PREFERENCE_ACTION = "cognito-idp:AdminSetUserMFAPreference"
# Read only when a Create or Update finds no user, so that its reason can say whether the pool's usernames are
# case-sensitive (``user_lookup.py``).
DESCRIBE_POOL_ACTION = "cognito-idp:DescribeUserPool"
# What Custom::CognitoTestUser calls besides the read and the preference, only on pools that hold a test user.
TEST_USER_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDeleteUserAttributes",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUpdateUserAttributes",
)
SETTINGS_ACTIONS = (READ_ACTION, SETTINGS_ACTION, DESCRIBE_POOL_ACTION)
PREFERENCE_ACTIONS = (READ_ACTION, PREFERENCE_ACTION, DESCRIBE_POOL_ACTION)
TEST_USER_POOL_ACTIONS = (READ_ACTION, PREFERENCE_ACTION, *TEST_USER_ACTIONS)
ACTION_ORDER = (READ_ACTION, SETTINGS_ACTION, DESCRIBE_POOL_ACTION, PREFERENCE_ACTION, *TEST_USER_ACTIONS)
# A Delete asks whether another resource of the stack now holds its physical id (hand-over, docs/design.md), and a
# request whose decision depends on it whether the stack is rolling back (DescribeStacks' StackStatus), on exactly
# the stack's own ARN (``AWS::StackId``, the ARN the event's StackId carries): no wildcard.
STACK_ACTIONS = ("cloudformation:DescribeStacks", "cloudformation:ListStackResources")
DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# A batch request that goes on in further invocations (crhelper's polling, docs/design.md, batches, time).
CONTINUATION_RULE_ACTIONS = (
    "events:PutRule",
    "events:PutTargets",
    "events:RemoveTargets",
    "events:DeleteRule",
    "events:DisableRule",
    "events:EnableRule",
)
CONTINUATION_FUNCTION_ACTIONS = ("lambda:AddPermission", "lambda:RemovePermission")
CONTINUATION_NAG_REASON = (
    "Only the EventBridge rule named after this resource's logical id: crhelper's polling names it with 8 random "
    "characters more, so the name is known only as a prefix."
)


@dataclass
class _PoolGrant:
    """The ARN the policy lists for one pool, and the Cognito actions the pool's constructs call."""

    arn: str
    actions: set[str] = field(default_factory=set)


class SmsMfaHandler(Construct):
    """The stack's handler for every custom resource type of the library (``Custom::CognitoUserSmsMfaSettings``,
    ``Custom::CognitoUserMfaPreference``, ``Custom::CognitoTestUser``); use :meth:`of` to get it."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.log_retention = DEFAULT_LOG_RETENTION
        self.log_retention_set_by: Construct | None = None
        self._pools: dict[str, _PoolGrant] = {}
        self.checked_pools: dict[int, tuple[object, PoolInfo]] = {}  # see checks.check_user_pool
        self._users: dict[tuple[str, str, str], tuple[Construct, str]] = {}
        self._sms_states: dict[tuple[str, str], list[tuple[Construct, Mapping[str, str], bool]]] = {}
        self._test_users: dict[tuple[str, str], CustomResource] = {}
        self._settings: list[tuple[tuple[str, str], Construct]] = []
        # Each custom resource of the handler, by its owner: its dependencies on the policy and on the stack's users
        # are added at once, one jsii call per resource, when every construct is known (finish).
        self._resources: list[tuple[Construct, Node]] = []
        self._pool_users: list[tuple[Construct, cognito.IUserPool]] = []
        self._pool_case: dict[str, bool | None] = {}  # pool key -> case-sensitive usernames (None: not known)
        self._batches: list[UserSmsMfaSettingsBatch] = []
        self._batch_rates: dict[str, float] = pacing.default_rates()
        self._batch_rates_set_by: Construct | None = None

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Manages Cognito users' SMS MFA settings, preferences and test users (cdk-cognito-sms-mfa)",
        )
        self.log_group = logs.LogGroup(
            self, "LogGroup", retention=DEFAULT_LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler=HANDLER_ENTRY,
            code=handler_code(),
            timeout=HANDLER_TIMEOUT,
            memory_size=HANDLER_MEMORY_MB,
            # The function reads its role's ARN (a GetAtt, which orders it after the role already): given the role
            # construct, the function would also list the role in DependsOn, which cfn-lint reports as redundant
            # (W3005). A reference by ARN adds no DependsOn; grants still go to ``self.role``.
            role=iam.Role.from_role_arn(self, "FunctionRole", self.role.role_arn, mutable=False),
            log_group=self.log_group,
            description="Handler of the Custom::Cognito* resources of cdk-cognito-sms-mfa",
            # The handler serves only its own stack's custom resources (docs/design.md, "Only our own stack").
            environment={STACK_ID_ENV: Aws.STACK_ID},
        )
        # The log grant (the role's default policy) still exists before the function runs.
        self.function.node.add_dependency(self.role.node.find_child("DefaultPolicy"))
        self.service_token = self.function.function_arn
        own_stack = iam.PolicyStatement(actions=list(STACK_ACTIONS), resources=[Stack.of(self).stack_id])
        self.policy = iam.Policy(self, "CognitoPolicy", roles=[self.role], statements=[own_stack])
        Aspects.of(self).add(_BeforeSynthesis(self))

    @classmethod
    def of(
        cls, scope: Construct, *, log_retention: logs.RetentionDays | None, requested_by: Construct
    ) -> SmsMfaHandler:
        """The handler of ``scope``'s stack, created on first use, with ``log_retention`` applied. ``scope`` is the
        scope a construct was given (most often the stack itself: then no jsii call finds the stack).

        Raises
        ------
        ValueError
            When ``log_retention`` differs from the retention another construct of the stack gave.
        """
        stack = scope if isinstance(scope, Stack) else Stack.of(scope)
        handler = _HANDLERS.get(stack)
        if handler is None:
            found = stack.node.try_find_child(SINGLETON_ID) or cls(stack, SINGLETON_ID)
            assert isinstance(found, SmsMfaHandler)
            handler = _HANDLERS[stack] = found
        handler.use_log_retention(log_retention, requested_by)
        return handler

    def use_log_retention(self, retention: logs.RetentionDays | None, requested_by: Construct) -> None:
        """Apply the first retention a construct gives, whatever the order; reject a different one later.

        Raises
        ------
        ValueError
            When ``retention`` differs from the one an earlier construct gave.
        """
        if retention is None:
            return
        if self.log_retention_set_by is None:
            self.log_retention_set_by = requested_by
            if retention != self.log_retention:
                self.log_retention = retention
                log_group = self.log_group.node.default_child
                assert isinstance(log_group, logs.CfnLogGroup)
                log_group.retention_in_days = _retention_days(retention)
            return
        if retention != self.log_retention:
            raise ValueError(
                f"{requested_by.node.path}: `log_retention` must be the same for every construct of a "
                f"stack (they share one handler); received {retention.name}, but "
                f"{self.log_retention_set_by.node.path} set {self.log_retention.name}"
            )

    def add_pool(
        self, user_pool: cognito.IUserPool, pool: PoolInfo, actions: Iterable[str], *, requested_by: Construct
    ) -> None:
        """Allow ``actions`` on ``user_pool`` (each pool is listed once, however it was obtained, with the union of
        the actions its constructs call); ``requested_by`` is warned before synthesis if the pool has MFA off."""
        self._pool_users.append((requested_by, user_pool))
        grant = self._pools.get(pool.key)
        if grant is None:
            grant = self._pools[pool.key] = _PoolGrant(_policy_arn(self, user_pool, pool))
            self._pool_case[pool.key] = case_sensitive_usernames(user_pool)
        grant.actions.update(actions)

    def cognito_statements(self) -> list[iam.PolicyStatement]:
        """One statement per set of actions, listing the pools that need exactly that set (in the order pools were
        first used)."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for grant in self._pools.values():
            actions = tuple(sorted(grant.actions, key=ACTION_ORDER.index))
            groups.setdefault(actions, []).append(grant.arn)
        return [iam.PolicyStatement(actions=list(actions), resources=arns) for actions, arns in groups.items()]

    def add_test_user(self, pool: PoolInfo, username: str, user: CustomResource) -> None:
        """Record the resource that holds a test user, so settings of the same literal user can depend on it."""
        self._test_users[(pool.key, username)] = user

    def add_settings(self, pool: PoolInfo, username: str, settings: Construct) -> None:
        """Record settings of a literal user: they will depend on that user if the stack creates it."""
        self._settings.append(((pool.key, username), settings))

    def user_dependencies(self) -> dict[int, list[IConstruct]]:
        """The users each recorded settings must wait for, by the settings' ``id()``: the stack's ``CfnUserPoolUser`` or
        test user with the same pool and literal username (found once, before synthesis: the users may be declared
        after the settings). A declared user whose name differs only by letter case is the same user in a
        case-insensitive pool (a dependency too); elsewhere it is another name, and the settings are warned
        (:data:`USERNAME_CASE_WARNING`)."""
        found: dict[int, list[IConstruct]] = {}
        if not self._settings:
            return found
        users: dict[tuple[str, str], IConstruct] = dict(self._test_users)
        wanted = {username.lower() for (_, username), _ in self._settings}
        keys: dict[str, str] = {}  # pool id (a token string) -> key: one resolve per pool, not per user
        for declared in self.declared_users():
            username = declared.username
            if isinstance(username, str) and username.lower() in wanted:
                pool_id = declared.user_pool_id
                pool_key = keys.get(pool_id) or keys.setdefault(pool_id, PoolInfo.of_id(pool_id, declared).key)
                users.setdefault((pool_key, username), declared)
        by_case: dict[tuple[str, str], tuple[str, IConstruct]] = {}
        for (pool_key, username), declared_user in users.items():
            by_case.setdefault((pool_key, username.lower()), (username, declared_user))
        for (pool_key, username), settings in self._settings:
            user = users.get((pool_key, username))
            variant = by_case.get((pool_key, username.lower())) if user is None else None
            if variant is not None and self._pool_case.get(pool_key) is not False:
                _warn_username_case(settings, username, *variant, self._pool_case.get(pool_key))
                continue
            user = user or (variant[1] if variant is not None else None)
            if user is not None:
                found.setdefault(id(settings), []).append(user)
        return found

    def declared_users(self) -> list[cognito.CfnUserPoolUser]:
        """Every ``CfnUserPoolUser`` of the stack, nested stacks included, found by walking the construct tree past
        what holds no user: CloudFormation elements (an L1 has no children) and the library's own constructs (this
        handler and each resource's owner, whose children it made). ``node.find_all()`` would also hand Python every
        construct CDK made inside those (the asset's imported bucket among them, whose module Python must then import
        only for this): the cost is measured in docs/benchmarks.md (synth)."""
        owned = {id(self), *(id(owner) for owner, _ in self._resources)}
        found: list[cognito.CfnUserPoolUser] = []
        scopes: list[IConstruct] = [Stack.of(self)]
        while scopes:
            for child in scopes.pop().node.children:
                if isinstance(child, cognito.CfnUserPoolUser):
                    found.append(child)
                elif not isinstance(child, CfnElement) and id(child) not in owned:
                    scopes.append(child)
        return found

    def add_resource_dependencies(self) -> None:
        """Make each custom resource of the handler depend on the policy (so Create runs after the grant exists and
        Delete before it is removed) and on the stack's users its owner names (:meth:`user_dependencies`): one
        variadic ``add_dependency`` per resource, run once before synthesis."""
        users = self.user_dependencies()
        for owner, node in self._resources:
            node.add_dependency(self.policy, *users.get(id(owner), ()))  # a node keeps each dependency once

    def custom_resource(
        self,
        owner: Construct,
        resource_type: str,
        properties: dict[str, Any],
        service_timeout: Duration,
    ) -> CustomResource:
        """The ``Resource`` child of ``owner``: a custom resource of this handler, which will depend on its policy and
        on the users ``owner`` names (:meth:`add_resource_dependencies`, before synthesis)."""
        resource = CustomResource(
            owner,
            "Resource",
            service_token=self.service_token,
            resource_type=resource_type,
            service_timeout=service_timeout,
            properties=properties,
        )
        self._resources.append((owner, resource.node))
        return resource

    def add_batch(self, batch: UserSmsMfaSettingsBatch, rates: Mapping[str, float] | None) -> dict[str, float]:
        """Record a batch of the stack and the pace it gives (None: it takes the stack's); answer its share of the
        stack's pace among the batches recorded so far (:meth:`share_batch_pace` settles it once all are known).

        Every batch of a stack shares one pace per quota category (Cognito's quotas are per account and Region): the
        batches that give ``max_requests_per_second`` must give the same, and the others take it.

        Raises
        ------
        ValueError
            When ``rates`` differ from the pace an earlier batch gave.
        """
        if rates is not None:
            if self._batch_rates_set_by is None:
                self._batch_rates, self._batch_rates_set_by = dict(rates), batch
            elif dict(rates) != self._batch_rates:
                raise ValueError(
                    f"{batch.node.path}: `max_requests_per_second` must be the same for every batch of a stack (they "
                    f"share one pace per quota category, each running at its share); received {_show_rates(rates)}, "
                    f"but {self._batch_rates_set_by.node.path} gave {_show_rates(self._batch_rates)}"
                )
        self._batches.append(batch)
        return pacing.shared_rates(self._batch_rates, len(self._batches))

    def batch_count(self) -> int:
        """How many batches the stack has (so far, before synthesis)."""
        return len(self._batches)

    def share_batch_pace(self) -> None:
        """Give each batch of the stack its share of the stack's pace, now that every batch is known."""
        share = pacing.shared_rates(self._batch_rates, len(self._batches))
        for batch in self._batches:
            batch.share_pace(self, share)

    def use_batch_timeout(self) -> None:
        """Give the function the timeout a batch works within (:data:`BATCH_HANDLER_TIMEOUT`)."""
        function = self.function.node.default_child
        assert isinstance(function, lambda_.CfnFunction)
        function.timeout = int(BATCH_HANDLER_TIMEOUT.to_seconds())

    def grant_manifest_read(self, owner: Construct, id: str, object_arn: str) -> iam.Policy:
        """A policy of the handler's role, child ``id`` of ``owner``, that may read exactly one object (a batch's
        list): ``s3:GetObject`` on its ARN, nothing else of the bucket."""
        statement = iam.PolicyStatement(actions=[MANIFEST_READ_ACTION], resources=[object_arn])
        return iam.Policy(owner, id, roles=[self.role], statements=[statement])

    def grant_continuation(self, owner: Construct, id: str, logical_id: str) -> iam.Policy:
        """A policy of the handler's role, child ``id`` of ``owner``, for a request of resource ``logical_id`` that goes
        on in further invocations (crhelper's polling): the EventBridge rule crhelper names ``<logical id><8
        random>`` and the permission that lets it invoke this function, nothing else."""
        rule_arn = Stack.of(self).format_arn(service="events", resource="rule", resource_name=f"{logical_id}*")
        statements = [
            iam.PolicyStatement(actions=list(CONTINUATION_RULE_ACTIONS), resources=[rule_arn]),
            iam.PolicyStatement(actions=list(CONTINUATION_FUNCTION_ACTIONS), resources=[self.function.function_arn]),
        ]
        policy = iam.Policy(owner, id, roles=[self.role], statements=statements)
        # The rule's name ends in random characters crhelper picks, so cdk-nag's AwsSolutions-IAM5 sees a wildcard:
        # acknowledged on this policy only, for exactly that resource, in both ways cdk-nag runs (as a policy
        # validation plugin, and as an aspect, which reads the metadata); no import of cdk-nag is needed.
        resource = f"Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/{logical_id}*"
        Validations.of(policy).acknowledge(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[{resource}]", reason=CONTINUATION_NAG_REASON)
        )
        cfn = policy.node.default_child
        assert isinstance(cfn, iam.CfnPolicy)
        suppression = {"id": "AwsSolutions-IAM5", "reason": CONTINUATION_NAG_REASON, "applies_to": [resource]}
        cfn.add_metadata("cdk_nag", {"rules_to_suppress": [suppression]})
        return policy

    def claim_user(
        self,
        pool: PoolInfo,
        username: str,
        owner: Construct,
        kind: str = "settings construct",
        field: str = "username",
    ) -> None:
        """Record that ``owner`` manages the setting ``kind`` (:data:`CLAIMED_SETTINGS`) of ``username`` in the pool;
        two constructs of the stack that manage one user's same setting would fight, whatever their types. Indexed by
        (setting, pool, name), the name lowered in a pool known to be case-insensitive.

        Raises
        ------
        ValueError
            When another construct of the stack already manages the same setting of the same pool and user, naming
            both constructs, the user and the setting.
        """
        name = username.lower() if self._pool_case.get(pool.key) is False else username
        first, first_name = self._users.setdefault((kind, pool.key, name), (owner, username))
        if first is not owner:
            same = f" (as {first_name!r}: the pool is case-insensitive)" if first_name != username else ""
            raise ValueError(
                f"{owner.node.path}: `{field}` must be managed by one construct per pool and setting; received "
                f"{username!r}, whose {CLAIMED_SETTINGS[kind]} {first.node.path} already manages in the same "
                f"pool{same}"
            )

    def claim_sms_preference(
        self, pool: PoolInfo, username: str, owner: Construct, factors: Mapping[str, str], *, test_user: bool
    ) -> None:
        """Record the MFA preference ``owner`` writes for a literal user (``factors``: keyword -> state); a test user
        and a ``UserMfaPreference`` of the same user must agree, or they would undo each other on every deploy.

        Raises
        ------
        ValueError
            When the other kind of construct already declared a contradicting preference for the same user.
        """
        entries = self._sms_states.setdefault((pool.key, username), [])
        for other, other_factors, other_is_test_user in entries:
            if other_is_test_user == test_user:
                continue
            user_factors, preference = (factors, other_factors) if test_user else (other_factors, factors)
            clash = _preference_clash(user_factors, preference)
            if clash is not None:
                raise ValueError(
                    f"{owner.node.path}: {_describe(factors, test_user=test_user)} contradicts {other.node.path} "
                    f"({_describe(other_factors, test_user=not test_user)}) for the same pool and username "
                    f"{username!r}: they would undo each other on every deploy ({clash})"
                )
        entries.append((owner, factors, test_user))

    def warn_pools_with_mfa_off(self) -> None:
        """Warn each construct (not its own children, such as a test user's settings) whose pool is a pool of the app
        with ``MfaConfiguration`` ``OFF``: Cognito challenges nobody there, whatever the construct sets. An imported
        pool, or a configuration that is a token, is not known here."""
        problems: dict[int, str | None] = {}  # by pool: few pools, many constructs
        for _, user_pool in self._pool_users:
            if id(user_pool) not in problems:
                problems[id(user_pool)] = _pool_mfa_problem(user_pool)
        if all(problem is None for problem in problems.values()):
            return  # the common case: no construct's path is asked for (two jsii calls per construct)
        paths = [owner.node.path for owner, _ in self._pool_users]  # one jsii call each, not one per pair
        owners = set(paths)
        for (owner, user_pool), path in zip(self._pool_users, paths, strict=True):
            parts = path.split("/")
            if any("/".join(parts[:end]) in owners for end in range(1, len(parts))):
                continue
            problem = problems[id(user_pool)]
            if problem is not None:
                Annotations.of(owner).add_warning_v2(
                    POOL_MFA_OFF_WARNING,
                    f"`user_pool` {user_pool.node.path}: {problem}; give the pool `mfa=cognito.Mfa.OPTIONAL` (or"
                    " `REQUIRED`) with `mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=...)`",
                )

    def finish(self) -> None:
        """What needs every construct of the stack: the Cognito statements, the resources' dependencies on the policy
        and the users, and the warnings about pools with MFA off (run once, when aspects run, before synthesis)."""
        self.share_batch_pace()
        for statement in self.cognito_statements():
            self.policy.add_statements(statement)
        self.add_resource_dependencies()
        self.warn_pools_with_mfa_off()


def case_sensitive_usernames(user_pool: cognito.IUserPool) -> bool | None:
    """Whether ``user_pool`` tells usernames apart by letter case: for a ``UserPool`` of the app, False when its
    ``UsernameConfiguration`` says ``CaseSensitive: false``, True otherwise (a pool without it is case-sensitive);
    None when that is not known here (an imported pool, a token)."""
    resource = user_pool.node.default_child if isinstance(user_pool, cognito.UserPool) else None
    if not isinstance(resource, cognito.CfnUserPool):
        return None
    configuration = resource.username_configuration
    if configuration is not None and not isinstance(configuration, cognito.CfnUserPool.UsernameConfigurationProperty):
        return None
    value = getattr(configuration, "case_sensitive", None)
    return None if Token.is_unresolved(value) else value is not False


def _warn_username_case(
    settings: Construct, username: str, declared: str, user: IConstruct, sensitive: bool | None
) -> None:
    """Warn ``settings`` of ``username`` that the stack's user ``user`` is ``declared``, another name in its pool."""
    pool = "whose usernames are case-sensitive" if sensitive else "whose usernames may be case-sensitive (imported)"
    Annotations.of(settings).add_warning_v2(
        USERNAME_CASE_WARNING,
        f"username {username!r} differs only by letter case from the user {user.node.path} ({declared!r}) of the same"
        f" pool, {pool}: they are two users, so the settings do not wait for {declared!r} and name a user that may "
        f"not exist (UserNotFoundException); use `username=user.ref` or the user's own spelling",
    )


def _show_rates(rates: Mapping[str, float]) -> str:
    return ", ".join(f"{category} {rate:g}/s" for category, rate in rates.items())


def _pool_mfa_problem(user_pool: cognito.IUserPool) -> str | None:
    """Why SMS MFA has no effect at sign-in in ``user_pool`` (a pool of the app with MFA off), or None (also when
    the pool is imported or its configuration is a token)."""
    cfn_pool = user_pool.node.default_child
    if not isinstance(cfn_pool, cognito.CfnUserPool) or Token.is_unresolved(cfn_pool.mfa_configuration):
        return None
    return rules.pool_mfa_problem(cfn_pool.mfa_configuration)


def _preference_clash(test_user: Mapping[str, str], preference: Mapping[str, str]) -> str | None:
    """Why a preference contradicts a test user's SMS state (``{"sms": PREFERRED|DISABLED}``), or None."""
    sms = test_user["sms"]
    if preference.get("sms", sms) != sms:
        return f"SMS MFA {sms} against {preference['sms']}"
    if sms == "PREFERRED":
        other = sorted(keyword for keyword, state in preference.items() if keyword != "sms" and state == "PREFERRED")
        if other:
            return f"only one factor can be preferred: SMS and {other[0]}"
    return None


def _describe(factors: Mapping[str, str], *, test_user: bool) -> str:
    if test_user:
        return "a test user with SMS MFA " + (
            "preferred" if factors["sms"] == "PREFERRED" else "off (`mfa_options=[]`)"
        )
    return "a UserMfaPreference with " + ", ".join(f"`{keyword}` {state}" for keyword, state in factors.items())


def _policy_arn(scope: Construct, user_pool: cognito.IUserPool, pool: PoolInfo) -> str:
    """The ARN the policy lists for a pool: for a literal pool id, in the Region the id names (the handler calls
    that Region), whatever Region an imported pool's ARN was formatted with; otherwise the pool's own ARN."""
    region = rules.pool_region(pool.pool_id) if pool.literal else None
    arn = user_pool.user_pool_arn
    if region is None:
        return arn
    stack = Stack.of(scope)
    account = stack.account
    if not Token.is_unresolved(arn):
        parts = arn.split(":")
        if len(parts) > 5 and parts[3] == region:
            return arn
        account = parts[4] if len(parts) > 5 and parts[4] else account
    return stack.format_arn(
        service="cognito-idp", region=region, account=account, resource="userpool", resource_name=pool.pool_id
    )


@jsii.implements(IAspect)
class _BeforeSynthesis:
    """Runs :meth:`SmsMfaHandler.finish` once, when aspects run (before dependencies and policies are read)."""

    def __init__(self, handler: SmsMfaHandler) -> None:
        self._handler = handler
        self._done = False

    def visit(self, node: IConstruct) -> None:
        if not self._done and node is self._handler:
            self._done = True
            self._handler.finish()


def _retention_days(retention: logs.RetentionDays) -> int | None:
    """The ``RetentionInDays`` CDK renders for ``retention`` (None for infinite), read from a scratch stack."""
    scratch = Stack()
    probe = logs.LogGroup(scratch, "Probe", retention=retention).node.default_child
    assert isinstance(probe, logs.CfnLogGroup)
    days = scratch.resolve(probe.retention_in_days)
    return None if days is None else int(days)
