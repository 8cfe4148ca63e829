"""Logging for scripts running as Lathe jobs. Standard library only, Python 3.8+.

    import lathe

    lathe.log_params({"lr": 3e-4, "batch_size": 64})
    for epoch in range(10):
        lathe.log_metric("loss", loss)            # step 0, 1, 2, ... per key
    lathe.log_artifact("checkpoints/", "model")   # synchronous upload
    with lathe.child_run("trial-1", tags={"lr": "0.1"}) as trial:
        trial.log_metric("acc", 0.91)              # ended Completed (or Failed) on exit

The Lathe agent sets LATHE_API_URL, LATHE_RUN_TOKEN, LATHE_WORKSPACE and LATHE_RUN_ID.
Without them every call does nothing (after one warning on stderr), so the same script
runs anywhere.

Logging calls only append to an in-memory buffer; a background thread sends it in
batches (every 0.5 s, or at once when 1000 values wait) and retries network errors and
HTTP 5xx/429 with the same idempotency key, so nothing is stored twice. Values still
buffered when the script ends are flushed at exit (waiting at most 30 s). Problems
found in the background are printed to stderr, never raised; pass
``synchronous=True`` to a logging call (or set LATHE_SYNCHRONOUS=1) to send it at once
and get a :class:`LatheError` instead.
"""

from ._errors import LatheError
from ._run import Run, current_run as _current_run, _reset  # noqa: F401 - _reset is for tests

__version__ = "0.1.0"

__all__ = [
    "LatheError",
    "Run",
    "active_run",
    "child_run",
    "flush",
    "get_run_id",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "register_model",
    "set_tag",
    "set_tags",
]


def register_model(name, path, model_type=None, description=None, tags=None, properties=None):
    """Register a model version from a local file/folder or from this run's artifacts
    (e.g. ``"outputs/model"``); returns the version as a dict (name, version, ...)."""
    return _current_run().register_model(name, path, model_type=model_type, description=description,
                                         tags=tags, properties=properties)


def active_run():
    """The :class:`Run` this script runs as (it records nothing outside Lathe)."""
    return _current_run()


def get_run_id():
    """The id of the run this script runs as, or None outside Lathe."""
    return _current_run().get_run_id()


def log_metric(key, value, step=None, timestamp=None, *, synchronous=None):
    """Log one value of metric ``key``; ``step`` defaults to a per-key counter from 0,
    ``timestamp`` (ms since the epoch) to now. NaN and infinities are allowed."""
    _current_run().log_metric(key, value, step=step, timestamp=timestamp, synchronous=synchronous)


def log_metrics(metrics, step=None, timestamp=None, *, synchronous=None):
    """Log a dict of metric values (each key has its own default step counter)."""
    _current_run().log_metrics(metrics, step=step, timestamp=timestamp, synchronous=synchronous)


def log_param(key, value, *, synchronous=None):
    """Log a hyperparameter as ``str(value)``. Params are immutable: a different value
    for a logged key is refused (a warning, or LatheError when synchronous)."""
    _current_run().log_param(key, value, synchronous=synchronous)


def log_params(params, *, synchronous=None):
    """Log a dict of hyperparameters."""
    _current_run().log_params(params, synchronous=synchronous)


def set_tag(key, value, *, synchronous=None):
    """Set a tag on the run (``str(value)``); a later value replaces an earlier one."""
    _current_run().set_tag(key, value, synchronous=synchronous)


def set_tags(tags, *, synchronous=None):
    """Set several tags."""
    _current_run().set_tags(tags, synchronous=synchronous)


def log_artifact(local_path, artifact_path=None):
    """Upload a file, or a whole folder's contents, under ``artifact_path`` (synchronous).
    Returns the artifact paths uploaded."""
    return _current_run().log_artifact(local_path, artifact_path)


def child_run(name=None, tags=None):
    """Create a child run of this run; use as ``with lathe.child_run("trial") as run:``."""
    return _current_run().child_run(name=name, tags=tags)


def flush(timeout=None):
    """Block until everything logged so far is acknowledged; False if ``timeout`` ran out."""
    return _current_run().flush(timeout)
