"""go-slowmo for JupyterLab: the prebuilt extension, and the bridge behind Jupyter's proxy.

jupyter-server-proxy calls ``setup_bridge`` (entry point ``slowmo``) and starts
the bridge on the first request to ``<base_url>/slowmo/``; Jupyter's login
covers every request and WebSocket on the way. The proxy adds a fresh secret
to each request it forwards and the bridge requires it, so other users of
the machine cannot reach the bridge's port directly.
"""

import os
import secrets
import shutil


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@go-slowmo/jupyter-ext"}]


def _bridge_cli():
    """The bridge's CLI: $SLOWMO_BRIDGE_CLI, the checkout this was built from, or `slowmo` on PATH."""
    explicit = os.environ.get("SLOWMO_BRIDGE_CLI")
    if explicit:
        return ["node", explicit]
    try:
        from ._paths import BRIDGE_CLI  # written by make setup

        if os.path.exists(BRIDGE_CLI):
            return ["node", BRIDGE_CLI]
    except ImportError:
        pass
    found = shutil.which("slowmo")
    if found:
        return [found]
    raise RuntimeError(
        "go-slowmo: cannot find the bridge; run `make setup` in the go-slowmo checkout "
        "or set SLOWMO_BRIDGE_CLI to kernel-bridge/dist/src/cli.js"
    )


def setup_bridge():
    token = secrets.token_hex(24)
    return {
        "command": _bridge_cli() + ["serve", "--host", "127.0.0.1", "--port", "{port}", "--token", token],
        "timeout": 60,
        "absolute_url": False,
        "new_browser_tab": False,
        "launcher_entry": {"enabled": False},
        "request_headers_override": {"Authorization": "token " + token},
    }
