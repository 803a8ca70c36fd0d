"""``UserResource``: what the constructs that manage one Cognito user through the stack's handler share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import CustomResource


class UserResource(Construct):
    """A construct whose ``resource`` (a custom resource of the stack's handler) names one user of one pool."""

    resource: CustomResource

    @property
    def attr_username(self) -> str:
        """The canonical username Cognito reports for the user (``Fn::GetAtt`` on ``Username``)."""
        return self.resource.get_att_string("Username")

    @property
    def attr_user_pool_id(self) -> str:
        """The pool id the resource applies to (``Fn::GetAtt`` on ``UserPoolId``)."""
        return self.resource.get_att_string("UserPoolId")
