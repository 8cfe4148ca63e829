"""Lathe's Python scoring host: runs an Azure ML scoring script (``init()`` /
``run(raw_data)``) or an MLflow scikit-learn model behind the gateway's framed protocol."""
