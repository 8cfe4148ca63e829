"""Unit tests of the ``lathe`` logging module (stdlib unittest).

Run from the repository root:  python3 -m unittest discover -s python/tests -v
"""

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

import lathe  # noqa: E402
from lathe import _http  # noqa: E402

TOKEN = "test-run-token"
WORKSPACE = "ws-one"
RUN_ID = "run-root"
PREFIX = "/api/v1/workspaces/%s/runs/" % WORKSPACE


class FakeLatheServer:
    """A FAKE standing in for the Lathe API in these unit tests only.

    It implements just the routes the ``lathe`` module calls (log-batch, create run,
    set status, upload artifact), in memory, with a few failure knobs. It is not the
    real server and does not check its behaviour; end-to-end tests against the real
    Lathe server live elsewhere in the repository.

    Like the real server it stores a log-batch at most once per idempotency key and
    refuses to change a param's value (HTTP 400 INVALID_ARGUMENT).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []  # (method, path, headers dict, parsed JSON body or None)
        self.batches = []  # every log-batch body received, retries included
        self.seen_keys = set()
        self.metrics = {}  # run id -> list of {"key","value","step","timestamp"}
        self.params = {}  # run id -> {key: value}
        self.tags = {}  # run id -> {key: value}
        self.runs = {}  # run id -> create body
        self.statuses = {}  # run id -> status body
        self.artifacts = {}  # (run id, path) -> bytes
        self.artifact_headers = {}  # (run id, path) -> headers
        # Failure knobs: a list of actions for the next log-batch requests:
        # ("status", code) answers without storing; ("store_then", code) stores, then
        # answers the error as if the acknowledgement was lost; "drop" closes the socket.
        self.batch_plan = []
        self._next_id = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                server._handle(self, "POST")

            def do_PUT(self):
                server._handle(self, "PUT")

        class QuietServer(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # the "drop" knob breaks connections on purpose

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def env(self):
        return {"LATHE_API_URL": self.url, "LATHE_RUN_TOKEN": TOKEN,
                "LATHE_WORKSPACE": WORKSPACE, "LATHE_RUN_ID": RUN_ID}

    def points(self, run_id, key):
        with self.lock:
            return [p for p in self.metrics.get(run_id, []) if p["key"] == key]

    def log_batch_requests(self):
        with self.lock:
            return list(self.batches)

    # -- request handling --------------------------------------------------------

    def _reply(self, handler, status, payload):
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _error(self, handler, status, code, message):
        self._reply(handler, status, {"error": {"code": code, "message": message}})

    def _handle(self, handler, method):
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body = None
        if headers.get("content-type") == "application/json" and raw:
            body = json.loads(raw.decode())  # strict: a bare NaN would still parse, checked below
        with self.lock:
            self.requests.append((method, url.path, headers, body))
        if headers.get("authorization") != "Bearer " + TOKEN:
            return self._error(handler, 401, "UNAUTHENTICATED", "bad token")
        if not url.path.startswith(PREFIX.rstrip("/")):
            return self._error(handler, 404, "NOT_FOUND", "no route " + url.path)
        rest = url.path[len(PREFIX):].split("/") if url.path.startswith(PREFIX) else []
        if method == "POST" and url.path == PREFIX.rstrip("/"):
            return self._create_run(handler, body)
        if method == "POST" and len(rest) == 2 and rest[1] == "log-batch":
            return self._log_batch(handler, unquote(rest[0]), raw, body)
        if method == "POST" and len(rest) == 2 and rest[1] == "status":
            with self.lock:
                self.statuses[unquote(rest[0])] = body
            return self._reply(handler, 200, {"id": rest[0], "status": body["status"]})
        if method == "PUT" and rest[1:] == ["artifacts", "content"]:
            path = parse_qs(url.query)["path"][0]
            with self.lock:
                self.artifacts[(unquote(rest[0]), path)] = raw
                self.artifact_headers[(unquote(rest[0]), path)] = headers
            return self._reply(handler, 200, {"path": path, "size": len(raw)})
        return self._error(handler, 404, "NOT_FOUND", "no route " + url.path)

    def _create_run(self, handler, body):
        with self.lock:
            self._next_id += 1
            run_id = "child-%d" % self._next_id
            self.runs[run_id] = body
        self._reply(handler, 200, {"id": run_id, "status": "Running", "parent_run_id": body.get("parent_run_id")})

    def _log_batch(self, handler, run_id, raw, body):
        for bad in (b"NaN,", b"NaN}", b"Infinity,", b"Infinity}"):
            if bad in raw.replace(b'"NaN"', b"").replace(b'"Infinity"', b"").replace(b'"-Infinity"', b""):
                return self._error(handler, 400, "INVALID_ARGUMENT", "invalid JSON number")
        with self.lock:
            self.batches.append(body)
            action = self.batch_plan.pop(0) if self.batch_plan else None
        if action == "drop":
            handler.close_connection = True
            handler.connection.shutdown(2)
            return None
        if action and action[0] == "status":
            return self._error(handler, action[1], "UNAVAILABLE", "try again")
        if len(body["metrics"]) > 10000 or len(body["params"]) > 1000 or len(body["tags"]) > 1000:
            return self._error(handler, 400, "INVALID_ARGUMENT", "batch too large")
        with self.lock:
            params = self.params.setdefault(run_id, {})
            for p in body["params"]:
                if p["key"] in params and params[p["key"]] != p["value"]:
                    message = "param %r already has value %r" % (p["key"], params[p["key"]])
                    error = (400, "INVALID_ARGUMENT", message)
                    break
            else:
                error = None
            duplicate = body["idempotency_key"] in self.seen_keys
            if error is None and not duplicate:
                self.seen_keys.add(body["idempotency_key"])
                self.metrics.setdefault(run_id, []).extend(body["metrics"])
                params.update({p["key"]: p["value"] for p in body["params"]})
                self.tags.setdefault(run_id, {}).update({t["key"]: t["value"] for t in body["tags"]})
        if error is not None:
            return self._error(handler, *error)
        if action and action[0] == "store_then":
            return self._error(handler, action[1], "UNAVAILABLE", "acknowledgement lost")
        self._reply(handler, 200, {"stored_metrics": 0 if duplicate else len(body["metrics"]),
                                   "duplicate": duplicate})


class LatheTestCase(unittest.TestCase):
    """Each test gets a fresh fake server and a freshly reset ``lathe`` module."""

    def setUp(self):
        self.server = FakeLatheServer()
        self.addCleanup(self.server.close)
        patcher = mock.patch.dict(os.environ, self.server.env())
        patcher.start()
        self.addCleanup(patcher.stop)
        os.environ.pop("LATHE_SYNCHRONOUS", None)
        lathe._reset()
        self.addCleanup(lathe._reset)

    @contextlib.contextmanager
    def captured_stderr(self):
        buf = io.StringIO()
        with mock.patch.object(sys, "stderr", buf):
            yield buf


class BatchingTest(LatheTestCase):
    def test_many_calls_few_requests_all_points_with_steps(self):
        for i in range(2500):
            lathe.log_metric("loss", 1.0 / (i + 1))
            lathe.log_metric("acc", i / 2500)
        lathe.log_metrics({"lr": 0.1, "epoch": 3}, step=7)
        lathe.log_metric("lr", 0.05)  # continues after the explicit step: 8
        self.assertTrue(lathe.flush(timeout=10))

        batches = self.server.log_batch_requests()
        self.assertLessEqual(len(batches), 10, "expected a few batched requests, got %d" % len(batches))
        for body in batches:
            self.assertLessEqual(len(body["metrics"]), 10000)
        keys = [b["idempotency_key"] for b in batches]
        self.assertEqual(len(keys), len(set(keys)), "each batch has its own idempotency key")

        loss = self.server.points(RUN_ID, "loss")
        self.assertEqual([p["step"] for p in loss], list(range(2500)))
        self.assertAlmostEqual(loss[9]["value"], 0.1)
        self.assertEqual([p["step"] for p in self.server.points(RUN_ID, "acc")], list(range(2500)))
        self.assertEqual([(p["step"], p["value"]) for p in self.server.points(RUN_ID, "lr")], [(7, 0.1), (8, 0.05)])
        self.assertEqual(self.server.points(RUN_ID, "epoch")[0]["value"], 3)
        now_ms = time.time() * 1000
        self.assertTrue(all(now_ms - 60000 < p["timestamp"] <= now_ms + 1000 for p in loss))

    def test_large_volume_is_split_within_server_limits(self):
        for i in range(25000):
            lathe.log_metric("x", i)
        self.assertTrue(lathe.flush(timeout=10))
        self.assertEqual(len(self.server.points(RUN_ID, "x")), 25000)
        for body in self.server.log_batch_requests():
            self.assertLessEqual(len(body["metrics"]), 10000)

    def test_background_send_without_flush(self):
        lathe.log_metric("a", 1.0)
        deadline = time.time() + 3
        while not self.server.points(RUN_ID, "a") and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(self.server.points(RUN_ID, "a")), 1, "sent within the 0.5 s interval")

    def test_params_and_tags(self):
        lathe.log_params({"lr": 0.001, "layers": 4, "name": "resnet"})
        lathe.log_param("lr", 0.001)  # same value again: fine, not resent
        lathe.set_tag("stage", "warmup")
        lathe.set_tags({"stage": "train", "owner": "me"})
        self.assertTrue(lathe.flush(timeout=5))
        self.assertEqual(self.server.params[RUN_ID], {"lr": "0.001", "layers": "4", "name": "resnet"})
        self.assertEqual(self.server.tags[RUN_ID], {"stage": "train", "owner": "me"})
        for method, path, headers, body in self.server.requests:
            self.assertEqual(headers["authorization"], "Bearer " + TOKEN)

    def test_get_run_id_and_argument_checks(self):
        self.assertEqual(lathe.get_run_id(), RUN_ID)
        with self.assertRaises(TypeError):
            lathe.log_metric("loss", "not a number")
        with self.assertRaises(TypeError):
            lathe.log_metric("loss", None)
        with self.assertRaises(ValueError):
            lathe.log_metric("", 1.0)
        with self.assertRaises(TypeError):
            lathe.log_metric("loss", 1.0, step=1.5)

    def test_thread_safety(self):
        def worker(n):
            for i in range(500):
                lathe.log_metric("shared", float(i))
                lathe.log_metric("k%d" % n, float(i))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(lathe.flush(timeout=10))
        self.assertEqual(sorted(p["step"] for p in self.server.points(RUN_ID, "shared")), list(range(4000)))
        for n in range(8):
            self.assertEqual([p["step"] for p in self.server.points(RUN_ID, "k%d" % n)], list(range(500)))


class EncodingTest(LatheTestCase):
    def test_non_finite_values_are_strings(self):
        lathe.log_metric("v", float("nan"))
        lathe.log_metric("v", float("inf"))
        lathe.log_metric("v", float("-inf"))
        lathe.log_metric("v", 2.5)
        lathe.log_metric("v", True)
        self.assertTrue(lathe.flush(timeout=5))
        values = [p["value"] for p in self.server.points(RUN_ID, "v")]
        self.assertEqual(values, ["NaN", "Infinity", "-Infinity", 2.5, 1.0])

    def test_encode_json_refuses_bare_nan(self):
        with self.assertRaises(ValueError):
            _http.encode_json({"value": math.nan})


class RetryTest(LatheTestCase):
    def test_503_twice_then_ok_same_key_no_duplicates(self):
        # First attempt refused; second stored but its answer "lost"; third is a duplicate.
        self.server.batch_plan = [("status", 503), ("store_then", 503)]
        for i in range(5):
            lathe.log_metric("loss", float(i))
        start = time.monotonic()
        self.assertTrue(lathe.flush(timeout=10))
        self.assertGreaterEqual(time.monotonic() - start, 0.2 + 0.4 - 0.05, "backs off 0.2 s, then 0.4 s")
        batches = self.server.log_batch_requests()
        self.assertEqual(len(batches), 3)
        self.assertEqual(len({b["idempotency_key"] for b in batches}), 1, "a retry reuses the batch's key")
        self.assertEqual(batches[0], batches[2], "a retry resends the same batch")
        self.assertEqual([p["step"] for p in self.server.points(RUN_ID, "loss")], [0, 1, 2, 3, 4])

    def test_429_and_dropped_connection_are_retried(self):
        self.server.batch_plan = [("status", 429), "drop"]
        lathe.log_metric("m", 1.0)
        self.assertTrue(lathe.flush(timeout=10))
        self.assertEqual(len(self.server.log_batch_requests()), 3)
        self.assertEqual(len(self.server.points(RUN_ID, "m")), 1)

    def test_unreachable_server_flush_times_out_quietly(self):
        self.server.close()
        lathe.log_metric("m", 1.0)
        self.assertFalse(lathe.flush(timeout=0.5))
        lathe._reset(flush_timeout=0)  # give up on the point (and stop its retries) now


class RejectionTest(LatheTestCase):
    def test_400_is_warned_not_raised_and_metrics_survive(self):
        self.server.params[RUN_ID] = {"lr": "0.5"}  # logged by an earlier attempt of this run
        with self.captured_stderr() as err:
            lathe.log_param("lr", 0.1)
            lathe.log_metric("loss", 1.0)
            self.assertTrue(lathe.flush(timeout=5))  # does not raise
            # The same refusal again is not repeated on stderr.
            lathe.active_run()._params.clear()
            lathe.log_param("lr", 0.1)
            self.assertTrue(lathe.flush(timeout=5))
        text = err.getvalue()
        self.assertIn("param 'lr' already has value '0.5'", text)
        self.assertIn("INVALID_ARGUMENT", text)
        self.assertEqual(text.count("already has value"), 1, text)
        self.assertEqual(self.server.params[RUN_ID], {"lr": "0.5"})
        self.assertEqual(len(self.server.points(RUN_ID, "loss")), 1, "the metric is not lost with the param")

    def test_400_raised_when_synchronous(self):
        self.server.params[RUN_ID] = {"lr": "0.5"}
        with self.assertRaises(lathe.LatheError) as ctx:
            lathe.log_param("lr", 0.1, synchronous=True)
        self.assertEqual(ctx.exception.code, "INVALID_ARGUMENT")
        self.assertEqual(ctx.exception.status, 400)
        lathe.log_param("lr", "0.5", synchronous=True)  # the stored value is accepted

    def test_flush_raises_when_run_is_synchronous(self):
        os.environ["LATHE_SYNCHRONOUS"] = "1"
        lathe._reset()
        self.server.params[RUN_ID] = {"lr": "0.5"}
        with self.assertRaises(lathe.LatheError):
            lathe.log_param("lr", 0.1)  # synchronous by default now
        with self.captured_stderr():
            lathe.log_param("lr", 0.2, synchronous=False)
            with self.assertRaises(lathe.LatheError):
                lathe.flush(timeout=5)

    def test_param_changed_in_process_is_refused_locally(self):
        lathe.log_param("seed", 1)
        with self.captured_stderr() as err:
            lathe.log_param("seed", 2)
        self.assertIn("params are immutable", err.getvalue())
        with self.assertRaises(lathe.LatheError):
            lathe.log_param("seed", 3, synchronous=True)
        self.assertTrue(lathe.flush(timeout=5))
        self.assertEqual(self.server.params[RUN_ID], {"seed": "1"})


class ChildRunTest(LatheTestCase):
    def test_child_run_completed(self):
        with lathe.child_run("trial-1", tags={"lr": 0.1}) as trial:
            self.assertIsInstance(trial, lathe.Run)
            self.assertNotEqual(trial.get_run_id(), RUN_ID)
            trial.log_metric("acc", 0.9)
            trial.log_param("depth", 3)
        child_id = trial.id
        self.assertEqual(self.server.runs[child_id],
                         {"parent_run_id": RUN_ID, "display_name": "trial-1", "tags": {"lr": "0.1"}})
        self.assertEqual([p["value"] for p in self.server.points(child_id, "acc")], [0.9])
        self.assertEqual(self.server.params[child_id], {"depth": "3"})
        self.assertEqual(self.server.statuses[child_id], {"status": "Completed"})
        self.assertEqual(self.server.points(RUN_ID, "acc"), [])

    def test_child_run_failed_with_reason(self):
        with self.assertRaises(ValueError):
            with lathe.child_run("trial-2") as trial:
                trial.log_metric("acc", 0.1)
                raise ValueError("boom")
        status = self.server.statuses[trial.id]
        self.assertEqual(status["status"], "Failed")
        self.assertIn("ValueError: boom", status["reason"])
        self.assertEqual(len(self.server.points(trial.id, "acc")), 1, "flushed before ending")
        with self.captured_stderr() as err:
            trial.log_metric("acc", 0.2)  # ended: ignored with a warning
        self.assertIn("has ended", err.getvalue())

    def test_nested_child_run(self):
        with lathe.child_run("outer") as outer:
            with outer.child_run("inner") as inner:
                inner.log_metric("x", 1)
        self.assertEqual(self.server.runs[inner.id]["parent_run_id"], outer.id)
        self.assertEqual(self.server.statuses[inner.id]["status"], "Completed")
        self.assertEqual(self.server.statuses[outer.id]["status"], "Completed")


class ArtifactTest(LatheTestCase):
    def test_folder_upload(self):
        big = os.urandom(300 * 1024)
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "sub", "deeper"))
            files = {"a.txt": b"hello", "sub/b.bin": big, "sub/deeper/c d.json": b"{}", "empty": b""}
            for rel, data in files.items():
                with open(os.path.join(tmp, *rel.split("/")), "wb") as f:
                    f.write(data)
            uploaded = lathe.log_artifact(tmp, "outputs/model")
        expected = {"outputs/model/" + rel: data for rel, data in files.items()}
        self.assertEqual(sorted(uploaded), sorted(expected))
        got = {path: data for (run, path), data in self.server.artifacts.items() if run == RUN_ID}
        self.assertEqual(got, expected)
        headers = self.server.artifact_headers[(RUN_ID, "outputs/model/sub/b.bin")]
        self.assertEqual(headers["content-type"], "application/octet-stream")
        self.assertEqual(headers["content-length"], str(len(big)))

    def test_single_file_and_path_checks(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "metrics.csv")
            with open(path, "wb") as f:
                f.write(b"a,b\n1,2\n")
            self.assertEqual(lathe.log_artifact(path), ["metrics.csv"])
            with self.assertRaises(ValueError):
                lathe.log_artifact(path, "../escape")
            with self.assertRaises(ValueError):
                lathe.log_artifact(path, "/abs")
        self.assertEqual(self.server.artifacts[(RUN_ID, "metrics.csv")], b"a,b\n1,2\n")
        with self.assertRaises(FileNotFoundError):
            lathe.log_artifact(os.path.join(PYTHON_DIR, "does-not-exist"))

    def test_rejected_upload_raises(self):
        os.environ["LATHE_RUN_TOKEN"] = "wrong"
        lathe._reset()
        with tempfile.NamedTemporaryFile() as f:
            with self.assertRaises(lathe.LatheError) as ctx:
                lathe.log_artifact(f.name)
        self.assertEqual(ctx.exception.status, 401)


class NoopTest(unittest.TestCase):
    def setUp(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LATHE_")}
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        lathe._reset()
        self.addCleanup(lathe._reset)

    def test_everything_is_a_no_op_with_one_warning(self):
        err = io.StringIO()
        with mock.patch.object(sys, "stderr", err), tempfile.TemporaryDirectory() as tmp:
            self.assertIsNone(lathe.get_run_id())
            lathe.log_metric("loss", 1.0)
            lathe.log_metrics({"a": float("nan")}, step=3)
            lathe.log_param("lr", 0.1)
            lathe.log_params({"lr": 0.2})
            lathe.set_tag("t", 1)
            lathe.set_tags({"u": 2})
            self.assertEqual(lathe.log_artifact(tmp), [])
            with lathe.child_run("trial", tags={"x": 1}) as trial:
                trial.log_metric("acc", 1.0)
                self.assertIsNone(trial.get_run_id())
            self.assertTrue(lathe.flush())
            self.assertTrue(lathe.flush(timeout=1))
        self.assertEqual(err.getvalue(), "lathe: not running under Lathe; metrics are not recorded\n")
        with self.assertRaises(TypeError):  # the same argument checks as under Lathe
            lathe.log_metric("loss", "x")

    def test_script_runs_outside_lathe(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LATHE_")}
        env["PYTHONPATH"] = PYTHON_DIR
        script = "import lathe\nlathe.log_metric('a', 1)\nlathe.log_param('b', 2)\nprint('done')\n"
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "done\n")
        self.assertEqual(out.stderr, "lathe: not running under Lathe; metrics are not recorded\n")


class ExitFlushTest(LatheTestCase):
    def run_script(self, body):
        env = dict(os.environ)
        env["PYTHONPATH"] = PYTHON_DIR
        script = textwrap.dedent(body)
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, timeout=30)

    def test_buffer_is_flushed_at_exit(self):
        out = self.run_script("""
            import lathe
            lathe.log_param("epochs", 3)
            for i in range(3000):
                lathe.log_metric("loss", 1.0 / (i + 1))
            lathe.set_tag("done", "yes")
            # no flush: the interpreter exits with values still buffered
        """)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        self.assertEqual([p["step"] for p in self.server.points(RUN_ID, "loss")], list(range(3000)))
        self.assertEqual(self.server.params[RUN_ID], {"epochs": "3"})
        self.assertEqual(self.server.tags[RUN_ID], {"done": "yes"})

    def test_open_child_run_is_ended_failed_at_exit_after_a_crash(self):
        out = self.run_script("""
            import lathe
            trial = lathe.child_run("left-open")
            trial.log_metric("acc", 0.5)
            raise RuntimeError("crashed")
        """)
        self.assertEqual(out.returncode, 1)
        (child_id,) = self.server.runs
        self.assertEqual(len(self.server.points(child_id, "acc")), 1)
        self.assertEqual(self.server.statuses[child_id]["status"], "Failed")
        self.assertIn("RuntimeError: crashed", self.server.statuses[child_id]["reason"])


if __name__ == "__main__":
    unittest.main()
