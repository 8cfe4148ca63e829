"""Train a small scikit-learn classifier on iris and register it as an MLflow model
(an MLmodel with the sklearn flavour, written by hand: no mlflow needed)."""
import json
import os
import pickle

import lathe
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

iris = load_iris()
columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
lathe.log_metric("train_accuracy", float(model.score(iris.data, iris.target)))

os.makedirs("model", exist_ok=True)
with open("model/model.pkl", "wb") as f:
    pickle.dump(model, f)
signature = json.dumps([{"name": c, "type": "double"} for c in columns])
with open("model/MLmodel", "w") as f:
    f.write(
        "flavors:\n"
        "  python_function:\n"
        "    loader_module: mlflow.sklearn\n"
        "    model_path: model.pkl\n"
        "  sklearn:\n"
        "    pickled_model: model.pkl\n"
        "    serialization_format: pickle\n"
        "signature:\n"
        "  inputs: '%s'\n"
        "  outputs: '[{\"type\": \"long\"}]'\n" % signature
    )
v = lathe.register_model(os.environ.get("MODEL_NAME", "iris-classifier"), "model", tags={"framework": "sklearn"})
print("registered", v["name"], v["version"])
