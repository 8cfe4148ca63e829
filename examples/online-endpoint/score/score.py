"""An Azure ML scoring script, unchanged: init() loads the model once per replica,
run(raw_data) gets the request body as a JSON string."""
import json
import logging
import os
import pickle

model = None


def init():
    global model
    # AZUREML_MODEL_DIR holds the registered model's files (as in Azure ML).
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model.pkl")
    with open(path, "rb") as f:
        model = pickle.load(f)
    logging.info("model loaded from %s", path)
    print("init complete; version", os.getenv("MODEL_LABEL", "?"))


def run(raw_data):
    data = json.loads(raw_data)["data"]
    return {"predictions": model.predict(data).tolist(), "label": os.getenv("MODEL_LABEL", "")}
