"""A local Cognito endpoint over real HTTP: moto's cognito-idp, AdminSetUserSettings, MFA sign-in, faults, calls.

The same endpoint serves moto's Secrets Manager, where the handler reads test users' passwords, and moto's S3,
where it reads the lists of batch resources (the rehearsal uploads them from the cloud assembly).

:class:`CognitoEmulator` serves its own copy of moto's cognito-idp (:mod:`.own_moto`, extended by
:func:`.moto_patches.install`; ``moto.mock_aws`` in the same process stays plain moto) from a
werkzeug server thread on 127.0.0.1, behind the :class:`.gateway.Gateway` that records every action received
(``X-Amz-Target``), answers injected faults, and serves the control endpoints under ``/_emulator/``.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_emulator.continuations import (
    EVENTS_SERVICE,
    LAMBDA_SERVICE,
    LambdaPermissions,
)
from cognito_sms_mfa_emulator.gateway import (
    FAULT_STATUS,
    S3_SERVICE,
    SECRETS_SERVICE,
    Control,
    Gateway,
    PendingFault,
    WsgiApp,
    check_action,
    reset_all,
)
from cognito_sms_mfa_emulator.mfa_sign_in import SIGN_IN, SmsMessage
from cognito_sms_mfa_emulator.moto_patches import install
from cognito_sms_mfa_emulator.own_moto import wsgi_app
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS
from cognito_sms_mfa_emulator.stacks import StackRecord, StackResource

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType

    from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

__all__ = ["FAULT_STATUS", "SERVICE_QUOTAS", "CognitoEmulator", "PendingFault", "SmsMessage", "StackResource"]

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 5.0


@functools.cache
def _moto_app(service: str) -> WsgiApp:
    """moto's Flask application of ``service``, built once per process (it keeps no state of its own)."""
    from moto.moto_server.werkzeug_app import create_backend_app

    app: WsgiApp = create_backend_app(service)  # type: ignore[arg-type]  # one of the two literals above
    return app


@functools.cache
def _cognito_app() -> WsgiApp:
    """The Flask application of the emulator's own copy of moto's cognito-idp, extended (:func:`install`)."""
    app: WsgiApp = wsgi_app(install())
    return app


def _request_handler() -> type[WSGIRequestHandler]:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        """moto's request handler, logging each request at DEBUG instead of printing it."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            logger.debug("%s %s", self.requestline, code)

    return QuietHandler


class CognitoEmulator:
    """A local Amazon Cognito user pools endpoint for tests: moto over real HTTP, with AdminSetUserSettings.

    The server runs in a daemon thread on 127.0.0.1. Point a boto3 ``cognito-idp`` client at
    :attr:`endpoint` (or set ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``) with any dummy credentials.
    moto keeps its data per process: emulators in one process share the same user pools.

    Parameters
    ----------
    port
        TCP port to listen on. Default: - an ephemeral port chosen by the operating system.
    region
        The Region clients are expected to sign for; moto serves whatever Region a request is signed for.
        Default: - ``us-east-1``.
    rate_limits
        Requests per second per rate category (``{"UserUpdate": 25, "UserRead": 120}``, the service's quotas,
        are in :data:`SERVICE_QUOTAS`); a call over its category's rate answers ``TooManyRequestsException``.
        Default: - no rate limit.

    Examples
    --------
    >>> from cognito_sms_mfa_emulator.clients import emulator_client
    >>> with CognitoEmulator() as emulator:
    ...     client = emulator_client(emulator.endpoint, emulator.region)
    ...     pool_id = client.create_user_pool(PoolName="test")["UserPool"]["Id"]
    ...     emulator.inject("AdminGetUser", "TooManyRequestsException")
    ...     emulator.calls()
    ['CreateUserPool']
    """

    def __init__(
        self, *, port: int = 0, region: str = "us-east-1", rate_limits: Mapping[str, float] | None = None
    ) -> None:
        self.region = region
        self._port = port
        self._control = Control()
        self._stacks = StackRecord()
        # AddPermission/RemovePermission of crhelper's polling (docs/local-emulator.md, continuations).
        self.lambda_permissions = LambdaPermissions()
        self.set_rate_limits(rate_limits or {})
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``.

        Raises
        ------
        RuntimeError
            The emulator is not running.
        """
        if self._server is None:
            raise RuntimeError("CognitoEmulator is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> CognitoEmulator:
        """Install the moto extension, bind the port and start serving; return self.

        Raises
        ------
        RuntimeError
            The emulator is already running.
        OSError
            The port cannot be bound.
        """
        from werkzeug.serving import make_server

        if self._server is not None:
            raise RuntimeError("CognitoEmulator is already running at " + self.endpoint)
        gateway = Gateway(
            self._control,
            _cognito_app(),
            self._stacks,
            secrets=_moto_app(SECRETS_SERVICE),
            s3=_moto_app(S3_SERVICE),
            by_signature={EVENTS_SERVICE: _moto_app(EVENTS_SERVICE), LAMBDA_SERVICE: self.lambda_permissions},
        )
        self._server = make_server("127.0.0.1", self._port, gateway, threaded=True, request_handler=_request_handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="cognito-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; does nothing when not running. Pending faults and calls remain."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=STOP_TIMEOUT_S)

    def __enter__(self) -> CognitoEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget all user pools, secrets and buckets (moto's state in this process), pending faults, recorded calls,
        the SMS outbox, sign-in sessions and recorded stacks.

        Rate limiting is turned off.
        """
        reset_all(self._control, self._stacks, [self.lambda_permissions])

    def record_resource(self, stack_id: str, resource: StackResource) -> None:
        """Record a resource of a stack as CloudFormation would list it (``ListStackResources``).

        Whoever plays CloudFormation records each resource as it creates, updates or deletes it (status
        ``CREATE_COMPLETE``, ``DELETE_IN_PROGRESS``, ...); the handler's question "does another resource of my
        stack hold this physical id?" is answered from this record. A stack never recorded answers
        ``ValidationError`` ("does not exist"), as CloudFormation does. Over HTTP: ``POST
        /_emulator/stack-resources`` with ``{"stack_id", "logical_id", "physical_id", "resource_type", "status"}``.

        Examples
        --------
        >>> emulator.record_resource(stack_id, StackResource("Alice", physical_id, "Custom::X", "CREATE_COMPLETE"))
        ... # doctest: +SKIP
        """
        self._stacks.record(stack_id, resource)

    def record_stack(self, stack_id: str, template: dict[str, Any], parameters: Mapping[str, str]) -> None:
        """Record a stack's template and parameter values, as CloudFormation holds them after a deployment.

        ``GetTemplate`` then answers ``template`` and ``DescribeStacks`` the parameters, for ``StackName`` the stack
        id or the name in it (``arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>``). Over HTTP:
        ``POST /_emulator/stacks`` with ``{"stack_id", "template", "parameters"}``.
        """
        self._stacks.record_stack(stack_id, template, dict(parameters))

    def set_stack_status(self, stack_id: str, status: str) -> None:
        """Set a stack's status as CloudFormation moves it through an operation: ``DescribeStacks`` then answers it
        (``CREATE_COMPLETE`` until set). Whoever plays CloudFormation sets ``UPDATE_ROLLBACK_IN_PROGRESS`` before a
        rollback's requests, ``UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`` before clean-up Deletes, and so on. Over HTTP:
        ``POST /_emulator/stack-status`` with ``{"stack_id", "status"}``.
        """
        self._stacks.set_status(stack_id, status)

    def forget_stack(self, stack_id: str) -> None:
        """Forget a recorded stack: ``ListStackResources`` then answers ``ValidationError`` ("does not exist")."""
        self._stacks.forget(stack_id)

    def stack_resources(self, stack_id: str) -> list[StackResource] | None:
        """The recorded resources of a stack, in the order first recorded; None for a stack never recorded."""
        return self._stacks.resources(stack_id)

    def inject(self, action: str, error_code: str, count: int = 1, *, applied: bool = False) -> None:
        """Make the next ``count`` calls of ``action`` fail with ``error_code``.

        The faulted calls answer ``{"__type": error_code, "message": ...}`` with the service's HTTP status
        (see :data:`FAULT_STATUS`) without reaching moto. Faults for one action queue up in order.

        Parameters
        ----------
        action
            A cognito-idp operation name, as in ``X-Amz-Target`` (``"AdminSetUserSettings"``), a CloudFormation
            action the emulator serves, or ``"GetSecretValue"`` / ``"GetObject"`` (answered in Secrets Manager's
            and S3's words; like CloudFormation's, these calls are not in :meth:`calls`).
        error_code
            ``"TooManyRequestsException"`` (HTTP 400), ``"InternalErrorException"`` (HTTP 500) or
            ``"AccessDeniedException"`` (HTTP 400).
        count
            How many consecutive calls fail. Default: - the next call only.
        applied
            Let each faulted call reach moto first, so that its effect happens and only the answer is the fault
            (a write whose outcome the caller cannot know). Default: - the call never reaches moto.

        Raises
        ------
        ValueError
            ``action`` is not a cognito-idp operation, ``error_code`` is not one of the three, or ``count`` < 1.

        Examples
        --------
        >>> emulator.inject("AdminSetUserSettings", "TooManyRequestsException", count=2)  # doctest: +SKIP
        """
        self._control.inject(action, error_code, count, applied)

    def faults(self) -> list[PendingFault]:
        """The faults not yet answered, in the order they will be, per action.

        Examples
        --------
        >>> emulator.inject("AdminGetUser", "InternalErrorException", count=2)  # doctest: +SKIP
        >>> emulator.faults()  # doctest: +SKIP
        [{'action': 'AdminGetUser', 'error': 'InternalErrorException', 'count': 2}]
        """
        return self._control.faults()

    def calls(self, action: str | None = None) -> list[str]:
        """The actions received since the last :meth:`reset` or :meth:`clear_calls`, oldest first.

        Faulted calls count too. Pass ``action`` to keep only that action's calls.

        Raises
        ------
        ValueError
            ``action`` is not a cognito-idp operation name.

        Examples
        --------
        >>> len(emulator.calls("AdminSetUserSettings"))  # doctest: +SKIP
        1
        """
        return self._control.calls(None if action is None else check_action(action))

    def set_rate_limits(self, limits: Mapping[str, float]) -> None:
        """Rate-limit the categories named in ``limits`` (requests per second); ``{}`` turns rate limiting off.

        Each category is a token bucket shared by every caller, holding one second of requests; the throttle
        counts start again at zero.

        Raises
        ------
        ValueError
            A category that is not in :data:`~cognito_sms_mfa_emulator.rate_limits.CATEGORIES`, or a rate that is
            not a number above 0.

        Examples
        --------
        >>> emulator.set_rate_limits(SERVICE_QUOTAS)  # doctest: +SKIP
        >>> emulator.set_rate_limits({"UserUpdate": 5})  # doctest: +SKIP
        """
        self._control.rate_limiter.configure(limits)

    def rate_limits(self) -> dict[str, float]:
        """The configured rates per category (empty when rate limiting is off)."""
        return self._control.rate_limiter.limits()

    def throttled(self) -> dict[str, int]:
        """How many calls each rate-limited category refused since the limits were last set."""
        return self._control.rate_limiter.throttled()

    def clear_calls(self) -> None:
        """Forget the recorded calls; user pools and pending faults stay."""
        self._control.clear_calls()

    def sms_outbox(self) -> list[SmsMessage]:
        """The SMS MFA codes sent at sign-in since the last :meth:`reset`, newest last.

        Also served as ``GET /_emulator/sms-outbox`` (``{"messages": [...]}``).

        Examples
        --------
        >>> emulator.sms_outbox()[-1]  # doctest: +SKIP
        {'phone_number': '+15555550100', 'code': '042917', 'username': 'alice'}
        """
        return SIGN_IN.outbox()

    def set_auth_session_lifetime(self, seconds: float) -> None:
        """How long a sign-in session and its SMS code stay valid, until the next :meth:`reset`.

        Default: - 180 seconds, the service's default ``AuthSessionValidity``. ``0`` makes every code expired,
        which tests the ``ExpiredCodeException`` path without waiting.

        Raises
        ------
        ValueError
            ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"seconds must be at least 0; received {seconds!r}")
        SIGN_IN.session_lifetime_s = seconds
