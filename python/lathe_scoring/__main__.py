"""Entry point of one scoring worker: ``python -m lathe_scoring``.

Configured by the environment the gateway sets: ``LATHE_SCORING_SCRIPT`` (an Azure ML
scoring script with ``init()`` and ``run(raw_data)``) or ``LATHE_SCORING_MLMODEL`` (the
MLmodel as JSON, for a no-code MLflow deployment); ``AZUREML_MODEL_DIR`` as Azure ML sets it.
"""
import importlib.util
import json
import os
import sys
import traceback

from .protocol import read_request, write_response


def _load_script(path):
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "run"):
        raise RuntimeError("the scoring script %s has no run(raw_data) function" % path)
    return module


def _json(value):
    return json.dumps(value, default=_fallback).encode("utf-8")


def _fallback(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError("run() returned a %s, which is not JSON serialisable" % type(value).__name__)


def make_handler():
    script = os.environ.get("LATHE_SCORING_SCRIPT")
    if script:
        module = _load_script(script)
        if hasattr(module, "init"):
            module.init()
        run = module.run

        def handle(raw):
            try:
                return 200, _json(run(raw.decode("utf-8", errors="replace")))
            except Exception as e:  # as Azure ML's server: the script's exception is a 500
                traceback.print_exc()
                return 500, _json({"message": "An unexpected error occurred in scoring script: %s" % e})
        return handle

    mlmodel = os.environ.get("LATHE_SCORING_MLMODEL")
    if not mlmodel:
        raise RuntimeError("neither LATHE_SCORING_SCRIPT nor LATHE_SCORING_MLMODEL is set")
    from .mlflow_sklearn import BadRequest, MlflowSklearnModel
    model = MlflowSklearnModel(json.loads(mlmodel), os.environ.get("AZUREML_MODEL_DIR", "."))

    def handle(raw):
        try:
            return 200, _json(model.predict(raw))
        except BadRequest as e:
            return 400, _json({"error_code": "BAD_REQUEST", "message": str(e)})
        except Exception as e:
            traceback.print_exc()
            return 500, _json({"error_code": "INTERNAL_ERROR", "message": str(e)})
    return handle


def main():
    inp = os.fdopen(3, "rb")
    out = os.fdopen(4, "wb")
    try:
        handle = make_handler()
    except BaseException as e:
        traceback.print_exc()
        write_response(out, 0, 500, ("init() failed: %s" % e).encode("utf-8"))
        sys.exit(1)
    write_response(out, 0, 200, b"ready")
    sys.stdout.flush()
    while True:
        req = read_request(inp)
        if req is None:
            return
        request_id, body = req
        status, payload = handle(body)
        write_response(out, request_id, status, payload)


if __name__ == "__main__":
    main()
