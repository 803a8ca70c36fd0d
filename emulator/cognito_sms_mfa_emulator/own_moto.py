"""The emulator's own copy of moto's cognito-idp: moto's source, loaded a second time under another module name.

The emulator changes moto's cognito-idp (:mod:`.moto_patches`). Made on moto's own classes, those changes would
reach every ``moto.mock_aws`` test that runs later in the same process (their results would depend on test
order), and ``mock_aws`` resetting moto's backends when it starts and stops would empty the emulator. So the
emulator loads moto's ``cognitoidp`` modules again, as the package :data:`PACKAGE`: its own classes
(``CognitoIdpBackend``, ``CognitoIdpUser``, ...), its own ``cognitoidp_backends`` (left out of the list that
``mock_aws`` resets), and a WSGI application that serves them. ``moto.cognitoidp`` itself is never changed.
The shared parts of moto (``moto.core``, the request parsing, the exceptions' base classes) are used as they are.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from moto.core.base_backend import AccountSpecificBackend, BackendDict, backend_lock

__all__ = ["PACKAGE", "OwnCognitoIdp", "own_cognitoidp"]

PACKAGE = "moto.cognitoidp_of_cognito_sms_mfa_emulator"
"""The module name of the emulator's copy of ``moto.cognitoidp``: a sibling, since its modules import
``..settings`` (``moto.settings``)."""

_lock = threading.Lock()
_loaded: OwnCognitoIdp | None = None


class OwnBackendDict(BackendDict[Any]):
    """moto's ``BackendDict``, except that it never joins ``BackendDict._instances``, the list ``mock_aws`` resets."""

    def _create_account_specific_backend(self, account_id: str) -> None:
        with backend_lock:
            if account_id not in list(self.keys()):
                self[account_id] = AccountSpecificBackend(
                    service_name=self.service_name,
                    account_id=account_id,
                    backend=self.backend,
                    use_boto3_regions=self._use_boto3_regions,
                    additional_regions=self._additional_regions,
                )


@dataclass(frozen=True)
class OwnCognitoIdp:
    """The emulator's copy of moto's cognito-idp modules."""

    models: ModuleType
    responses: ModuleType
    urls: ModuleType

    @property
    def backends(self) -> Any:
        """The copy's ``cognitoidp_backends``: every account's and Region's user pools the emulator holds."""
        return self.models.cognitoidp_backends


def own_cognitoidp() -> OwnCognitoIdp:
    """Load the emulator's copy of moto's cognito-idp once per process (thread-safe) and return it."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load()
        return _loaded


def _load() -> OwnCognitoIdp:
    found = importlib.util.find_spec("moto.cognitoidp")
    if found is None or not found.submodule_search_locations:
        raise ImportError("moto's cognitoidp package is not installed (install cdk-cognito-sms-mfa[local])")
    spec = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
    spec.submodule_search_locations = list(found.submodule_search_locations)
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package  # the package's own __init__ is not run: its modules are loaded one by one
    models = importlib.import_module(f"{PACKAGE}.models")
    # Replaced before responses.py reads the name (``from .models import cognitoidp_backends``).
    models.cognitoidp_backends = OwnBackendDict(models.CognitoIdpBackend, "cognito-idp")  # type: ignore[attr-defined]
    responses = importlib.import_module(f"{PACKAGE}.responses")
    urls = importlib.import_module(f"{PACKAGE}.urls")
    return OwnCognitoIdp(models=models, responses=responses, urls=urls)


def wsgi_app(own: OwnCognitoIdp) -> Any:
    """A Flask application that serves the copy's routes, as ``moto.server.create_backend_app`` builds one."""
    from flask import Flask
    from flask_cors import CORS
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.core.utils import convert_to_flask_response
    from moto.moto_server.utilities import RegexConverter
    from moto.moto_server.werkzeug_app import HTTP_METHODS, BackendRequest

    app = Flask("cognito_sms_mfa_emulator")
    app.debug = True  # as moto's: an exception moto raises (NotImplementedError) reaches the gateway
    app.request_class = BackendRequest
    CORS(app)
    app.url_map.converters["regex"] = RegexConverter
    backend = own.backends[DEFAULT_ACCOUNT_ID]["us-east-1"]  # only to resolve the URL paths
    for index, (url_path, handler) in enumerate(backend.flask_paths.items()):
        app.add_url_rule(
            url_path,
            endpoint=f"cognito-idp-{index}",
            methods=HTTP_METHODS,
            view_func=convert_to_flask_response(handler),
            strict_slashes=False,
        )
    return app
