"""Unit tests of the scoring host ``lathe_scoring`` (stdlib unittest; no scikit-learn needed).

Run from the repository root:  python3 -m unittest discover -s python/tests -v
"""

import json
import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

from lathe_scoring import mlflow_sklearn  # noqa: E402
from lathe_scoring.protocol import REQUEST_HEADER, RESPONSE_HEADER  # noqa: E402


class SumModel:
    """Stands in for a scikit-learn estimator: predict() sums each row."""

    def predict(self, data):
        rows = data.values.tolist() if hasattr(data, "values") else data
        return [sum(r) for r in rows]


def read_frame(stream):
    header = stream.read(RESPONSE_HEADER.size)
    request_id, status, length = RESPONSE_HEADER.unpack(header)
    return request_id, status, stream.read(length)


class WorkerProcess:
    """``python -m lathe_scoring`` with the protocol on fds 3 and 4, as the gateway runs it."""

    def __init__(self, env):
        to_worker_r, self.to_worker = os.pipe()
        self.from_worker, from_worker_w = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-c",
             "import os,sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
             "import runpy; runpy.run_module('lathe_scoring', run_name='__main__')",
             str(to_worker_r), str(from_worker_w)],
            env={**os.environ, "PYTHONPATH": PYTHON_DIR, **env},
            pass_fds=(to_worker_r, from_worker_w), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.out = os.fdopen(self.from_worker, "rb")
        self.inp = os.fdopen(self.to_worker, "wb")

    def call(self, request_id, body):
        self.inp.write(REQUEST_HEADER.pack(request_id, len(body)) + body)
        self.inp.flush()
        return read_frame(self.out)

    def close(self):
        self.inp.close()
        code = self.proc.wait(timeout=10)
        self.out.close()
        log = self.proc.stdout.read().decode()
        self.proc.stdout.close()
        return code, log


class ScoringScriptTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def script(self, text):
        path = os.path.join(self.dir, "score.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path

    def test_init_then_run_with_the_raw_body_pipelined_in_order(self):
        path = self.script("""
            import json
            state = {}
            def init():
                state["ready"] = True
                print("init done")
            def run(raw_data):
                data = json.loads(raw_data)
                if "boom" in data:
                    raise ValueError("bad input")
                return {"got": raw_data, "ready": state["ready"]}
        """)
        w = WorkerProcess({"LATHE_SCORING_SCRIPT": path})
        self.assertEqual(read_frame(w.out), (0, 200, b"ready"))
        self.assertEqual(w.call(7, b'{"x": 1}'), (7, 200, json.dumps({"got": '{"x": 1}', "ready": True}).encode()))
        rid, status, body = w.call(8, b'{"boom": 1}')
        self.assertEqual((rid, status), (8, 500))
        self.assertIn("bad input", json.loads(body)["message"])
        self.assertEqual(w.call(9, b'{}')[1], 200)
        code, log = w.close()
        self.assertEqual(code, 0)
        self.assertIn("init done", log)
        self.assertIn("ValueError: bad input", log)

    def test_a_failing_init_is_reported_in_the_ready_frame(self):
        path = self.script("""
            def init():
                raise RuntimeError("no model file")
            def run(raw_data):
                return 1
        """)
        w = WorkerProcess({"LATHE_SCORING_SCRIPT": path})
        rid, status, body = read_frame(w.out)
        self.assertEqual((rid, status), (0, 500))
        self.assertIn(b"no model file", body)
        code, _ = w.close()
        self.assertEqual(code, 1)


class MlflowProtocolTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        with open(os.path.join(self.dir, "model.pkl"), "wb") as f:
            pickle.dump(SumModel(), f)
        self.mlmodel = {
            "flavors": {"sklearn": {"pickled_model": "model.pkl"}},
            "signature": {"inputs": json.dumps([{"name": "a", "type": "double"}, {"name": "b", "type": "double"}])},
        }
        self.model = mlflow_sklearn.MlflowSklearnModel(self.mlmodel, self.dir)

    def predict(self, body):
        return self.model.predict(json.dumps(body))

    def test_every_input_format_gives_predictions(self):
        expected = {"predictions": [3, 7]}
        self.assertEqual(self.predict({"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}}), expected)
        self.assertEqual(self.predict({"dataframe_records": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}), expected)
        self.assertEqual(self.predict({"instances": [[1, 2], [3, 4]]}), expected)
        self.assertEqual(self.predict({"inputs": {"a": [1, 3], "b": [2, 4]}}), expected)

    def test_bad_requests_say_what_is_expected(self):
        for body, words in [
            ({"rows": []}, "exactly one of"),
            ({"instances": [], "inputs": []}, "exactly one of"),
            ({"dataframe_split": [1]}, "dataframe_split needs"),
            ({"dataframe_records": [1, 2]}, "list of objects"),
        ]:
            with self.assertRaises(mlflow_sklearn.BadRequest) as ctx:
                self.predict(body)
            self.assertIn(words, str(ctx.exception))
        with self.assertRaises(mlflow_sklearn.BadRequest):
            self.model.predict("not json")

    def test_a_model_without_an_sklearn_flavour_is_refused(self):
        with self.assertRaises(RuntimeError) as ctx:
            mlflow_sklearn.MlflowSklearnModel({"flavors": {"python_function": {"loader_module": "mlflow.pytorch", "model_path": "m"}}}, self.dir)
        self.assertIn("mlflow.pytorch", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
