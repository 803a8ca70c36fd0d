"""Only our own stack: the handler serves the custom resources of the stack it was deployed with, no other.

Any identity that may create stacks in the account can point a custom resource of its own stack at this function's
ARN (its ``ServiceToken``); CloudFormation then sends that stack's real ``StackId``. The construct gives the function
its own stack's id (``AWS::StackId``) in :data:`STACK_ID_ENV`, and :func:`refusal` decides before any call. The
rules are in ``docs/design.md`` ("Only our own stack"). Standard library only: the construct library imports the
variable's name from here, the emulator :func:`stack_name`.
"""

from __future__ import annotations

# The environment variable that holds the id of the stack the function belongs to (set by the construct).
STACK_ID_ENV = "COGNITO_SMS_MFA_STACK_ID"


def stack_name(stack_id: str) -> str:
    """The name in a stack id (``arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>``), or the id itself."""
    _, sep, rest = stack_id.partition(":stack/")
    return rest.partition("/")[0] if sep else stack_id


def is_foreign(event_stack_id: object, own_stack_id: str | None) -> bool:
    """Whether a request comes from another stack than the function's own. A function deployed without the
    variable (an older construct) serves any stack, as before."""
    return bool(own_stack_id) and event_stack_id != own_stack_id


def refusal(event_stack_id: object, own_stack_id: str) -> str:
    """The FAILED Reason of a Create or Update from another stack (it names both stacks, not their ids)."""
    other = stack_name(event_stack_id)[:60] if isinstance(event_stack_id, str) else repr(event_stack_id)[:60]
    return (
        f"StackId: stack {other} may not use this handler; it serves only the custom resources of stack "
        f"{stack_name(own_stack_id)[:60]}, which deployed it (nothing was changed)"
    )


def unproven_id_reason(resource_type: str) -> str:
    """The FAILED Reason of an Update whose physical id is not one this handler makes for ``resource_type``."""
    return (
        f"PhysicalResourceId is not an id this handler made for {resource_type}; not changed (an id of this type "
        "comes only from this handler's Create or Update)"
    )
