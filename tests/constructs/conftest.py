"""Fixtures for the construct tests: fresh stacks, each in an app that synthesizes into its own folder.

Synthesizing is cheap once jsii runs (about 0.1 s a stack); starting jsii is not, so it happens once per session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

if TYPE_CHECKING:
    from collections.abc import Callable

STACK_NAME = "TestStack"


@pytest.fixture(scope="session")
def new_app(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], App]:
    """Return a function that makes an app synthesizing into a new temporary folder."""

    def make() -> App:
        return App(outdir=str(tmp_path_factory.mktemp("cdk.out")))

    return make


@pytest.fixture(scope="session")
def new_stack(new_app: Callable[[], App]) -> Callable[[], Stack]:
    """Return a function that makes a stack named ``TestStack`` in a new app."""

    def make() -> Stack:
        return Stack(new_app(), STACK_NAME)

    return make


@pytest.fixture
def stack(new_stack: Callable[[], Stack]) -> Stack:
    """An empty stack named ``TestStack``: construct paths in messages start with ``TestStack/``."""
    return new_stack()


@pytest.fixture
def pool(stack: Stack) -> cognito.UserPool:
    """A user pool in ``stack``."""
    return cognito.UserPool(stack, "Pool")
