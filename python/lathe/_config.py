"""Reads the run's configuration from the environment the Lathe agent sets."""

import os
from collections import namedtuple

ENV_API_URL = "LATHE_API_URL"
ENV_RUN_TOKEN = "LATHE_RUN_TOKEN"
ENV_WORKSPACE = "LATHE_WORKSPACE"
ENV_RUN_ID = "LATHE_RUN_ID"
#: Optional: "1"/"true" makes every logging call synchronous by default.
ENV_SYNCHRONOUS = "LATHE_SYNCHRONOUS"

REQUIRED = (ENV_API_URL, ENV_RUN_TOKEN, ENV_WORKSPACE, ENV_RUN_ID)

Config = namedtuple("Config", ["api_url", "token", "workspace", "run_id", "synchronous"])


def _truthy(value):
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def load(environ=None):
    """Return ``(config, missing)``: a :class:`Config`, or None and the names of the unset variables."""
    env = os.environ if environ is None else environ
    values = {name: (env.get(name) or "").strip() for name in REQUIRED}
    missing = [name for name in REQUIRED if not values[name]]
    if missing:
        return None, missing
    config = Config(
        api_url=values[ENV_API_URL],
        token=values[ENV_RUN_TOKEN],
        workspace=values[ENV_WORKSPACE],
        run_id=values[ENV_RUN_ID],
        synchronous=_truthy(env.get(ENV_SYNCHRONOUS)),
    )
    return config, []
