"""Serve an MLflow scikit-learn model with MLflow's scoring protocol, without mlflow.

Reads the flavour from the MLmodel (handed over as JSON by the gateway, which already
parsed it at registration), unpickles the model, and accepts the bodies MLflow's
``/invocations`` accepts: ``dataframe_split``, ``dataframe_records``, ``instances`` and
``inputs``. Answers ``{"predictions": [...]}``; bad input is a 400 in MLflow's error shape.
"""
import json
import os
import pickle


try:  # imported at start, not on the first request (it takes a second)
    import pandas as _pandas
except ImportError:  # numpy rows still work, by position
    _pandas = None


class BadRequest(Exception):
    pass


def _model_file(mlmodel, model_dir):
    flavors = mlmodel.get("flavors") or {}
    sk = flavors.get("sklearn") or {}
    pyfunc = flavors.get("python_function") or {}
    name = sk.get("pickled_model") or pyfunc.get("model_path")
    if not name:
        raise RuntimeError("the MLmodel has no sklearn flavour (flavors.sklearn.pickled_model) "
                           "or python_function model_path; only scikit-learn MLflow models are served")
    if pyfunc and not sk and pyfunc.get("loader_module") not in (None, "mlflow.sklearn"):
        raise RuntimeError("python_function loader_module %r is not supported; only mlflow.sklearn"
                           % pyfunc.get("loader_module"))
    return os.path.join(model_dir, name)


class MlflowSklearnModel:
    def __init__(self, mlmodel, model_dir):
        path = _model_file(mlmodel, model_dir)
        with open(path, "rb") as f:
            self.model = pickle.load(f)
        sig = (mlmodel.get("signature") or {}).get("inputs")
        self.columns = None
        if isinstance(sig, str):
            try:
                sig = json.loads(sig)
            except ValueError:
                sig = None
        if isinstance(sig, list) and sig and all(isinstance(c, dict) and "name" in c for c in sig):
            self.columns = [c["name"] for c in sig]

    def _frame(self, rows=None, columns=None, records=None):
        pd = _pandas
        if records is not None:
            if pd is not None:
                return pd.DataFrame.from_records(records, columns=self.columns)
            cols = self.columns or list(records[0].keys())
            return [[r.get(c) for c in cols] for r in records]
        if pd is not None and (columns or self.columns):
            return pd.DataFrame(rows, columns=columns or self.columns)
        return rows

    def parse(self, raw):
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise BadRequest("the request body is not JSON: %s" % e)
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object with one of dataframe_split, dataframe_records, instances, inputs")
        keys = [k for k in ("dataframe_split", "dataframe_records", "instances", "inputs") if k in body]
        if len(keys) != 1:
            raise BadRequest("the request needs exactly one of dataframe_split, dataframe_records, instances, inputs; got %s"
                             % (sorted(body.keys()),))
        key = keys[0]
        value = body[key]
        if key == "dataframe_split":
            if not isinstance(value, dict) or "data" not in value:
                raise BadRequest("dataframe_split needs {'columns': [...], 'data': [[...]]}")
            return self._frame(rows=value["data"], columns=value.get("columns"))
        if key == "dataframe_records":
            if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
                raise BadRequest("dataframe_records needs a list of objects")
            return self._frame(records=value)
        # instances / inputs: rows, records, or columns (a dict of lists).
        if isinstance(value, dict):
            cols = list(value.keys())
            rows = [list(r) for r in zip(*[value[c] if isinstance(value[c], list) else [value[c]] for c in cols])]
            return self._frame(rows=rows, columns=cols)
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            return self._frame(records=value)
        if isinstance(value, list):
            return self._frame(rows=value)
        raise BadRequest("%s must be a list or an object of columns" % key)

    def predict(self, raw):
        data = self.parse(raw)
        try:
            out = self.model.predict(data)
        except Exception as e:  # the model's own complaint is the client's problem
            raise BadRequest("the model could not score this input: %s" % e)
        return {"predictions": out.tolist() if hasattr(out, "tolist") else list(out)}
