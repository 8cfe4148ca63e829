"""A minimal JSON-over-HTTP client for the Lathe API, and the retry policy.

One short-lived connection per request: the traffic is a few requests a second at
most, and a fresh connection never trips over a server that closed an idle one.
"""

import http.client
import json
import time
from urllib.parse import quote, urlsplit

USER_AGENT = "lathe-python/0.1"
JSON_TIMEOUT = 30.0  # seconds per blocking socket operation
UPLOAD_TIMEOUT = 120.0
UPLOAD_BLOCK = 64 * 1024


class HttpError(Exception):
    """The server answered with a non-2xx status."""

    def __init__(self, status, code, message, retry_after=None):
        super().__init__("HTTP %d %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def retryable(self):
        return self.status == 429 or self.status >= 500


class TransportError(Exception):
    """No HTTP answer: connection refused or reset, timeout, malformed response."""


class HttpClient:
    def __init__(self, api_url, token):
        parts = urlsplit(api_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL: %r" % api_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._token = token

    @staticmethod
    def workspace_path(workspace, *segments):
        """``/api/v1/workspaces/{ws}/seg/...`` with every segment percent-encoded."""
        parts = ["api", "v1", "workspaces", workspace] + list(segments)
        return "/" + "/".join(quote(str(p), safe="") for p in parts)

    def request_json(self, method, path, payload=None, body=None):
        """Send ``payload`` (or pre-encoded ``body`` bytes) as JSON; return the decoded answer."""
        if body is None and payload is not None:
            body = encode_json(payload)
        headers = {"Content-Type": "application/json"}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        return self._exchange(method, path, body, headers, JSON_TIMEOUT)

    def put_file(self, path, fileobj, size):
        """Stream ``size`` bytes of ``fileobj`` as the request body (never read whole)."""
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        return self._exchange("PUT", path, fileobj, headers, UPLOAD_TIMEOUT)

    def _connect(self, timeout):
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, blocksize=UPLOAD_BLOCK)
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout, blocksize=UPLOAD_BLOCK)

    def _exchange(self, method, path, body, extra_headers, timeout):
        headers = {
            "Authorization": "Bearer " + self._token,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        headers.update(extra_headers)
        conn = self._connect(timeout)
        try:
            conn.request(method, self._prefix + path, body=body, headers=headers)
            response = conn.getresponse()
            status = response.status
            retry_after = response.getheader("Retry-After")
            data = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise TransportError("%s: %s" % (type(e).__name__, e)) from e
        finally:
            conn.close()
        if 200 <= status < 300:
            try:
                return json.loads(data.decode("utf-8")) if data.strip() else {}
            except ValueError:
                return {}
        raise _error_from(status, data, retry_after)


def _error_from(status, data, retry_after):
    code, message = "HTTP_%d" % status, ""
    try:
        err = json.loads(data.decode("utf-8"))["error"]
        code = str(err.get("code") or code)
        message = str(err.get("message") or "")
    except Exception:  # noqa: BLE001 - not the JSON error shape: keep the raw text
        message = data.decode("utf-8", "replace").strip()[:500]
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        seconds = None
    return HttpError(status, code, message or "(no message)", seconds)


def encode_json(payload):
    # allow_nan=False: a bare NaN would be invalid JSON; callers encode non-finite values first.
    return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")


class RetryPolicy:
    """Exponential backoff: ``initial`` seconds doubling up to ``cap``, for at most ``budget`` seconds."""

    def __init__(self, initial=0.2, cap=5.0, budget=600.0):
        self.initial = initial
        self.cap = cap
        self.budget = budget


DEFAULT_POLICY = RetryPolicy()
#: For calls a script waits on (creating or ending a child run).
SHORT_POLICY = RetryPolicy(budget=60.0)


def with_retry(attempt, policy=DEFAULT_POLICY, deadline=None, stop=None):
    """Call ``attempt()`` until it returns, retrying transport errors and HTTP 5xx/429.

    Other HTTP errors are raised at once. When the time is up (``policy.budget`` or the
    absolute ``time.monotonic()`` ``deadline``, whichever is sooner), or the
    ``threading.Event`` ``stop`` is set, the last error is raised.
    """
    end = time.monotonic() + policy.budget
    if deadline is not None:
        end = min(end, deadline)
    delay = policy.initial
    while True:
        try:
            return attempt()
        except HttpError as e:
            if not e.retryable:
                raise
            error, wait = e, max(delay, min(e.retry_after or 0.0, 60.0))
        except TransportError as e:
            error, wait = e, delay
        if time.monotonic() + wait > end or (stop is not None and stop.is_set()):
            raise error
        if stop is not None:
            stop.wait(wait)
        else:
            time.sleep(wait)
        delay = min(delay * 2, policy.cap)
