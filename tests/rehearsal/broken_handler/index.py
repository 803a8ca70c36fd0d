"""A deliberately broken handler for the rehearsal's tests: every request answers FAILED through crhelper."""

from __future__ import annotations

from typing import Any

from crhelper import CfnResource

helper = CfnResource(log_level="INFO", sleep_on_delete=0)


@helper.create
@helper.update
@helper.delete
def fail(event: dict[str, Any], context: Any) -> None:
    raise RuntimeError("MFAOptions not applied: broken on purpose (test fixture)")


def handler(event: dict[str, Any], context: Any) -> None:
    helper(event, context)
