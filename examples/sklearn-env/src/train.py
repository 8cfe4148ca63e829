"""Train a random forest on the iris data set with scikit-learn; log params and accuracy, save the model."""
import argparse
import json
import os
import pickle
import sys

import sklearn
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

import lathe


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-estimators", type=int, default=50)
    parser.add_argument("--max-depth", type=int, default=None)
    parser.add_argument("--model-dir", default="outputs")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]} in {sys.prefix}")
    print(f"scikit-learn {sklearn.__version__}")
    x, y = load_iris(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=42, stratify=y)
    lathe.log_params({"n_estimators": args.n_estimators, "max_depth": args.max_depth, "train_rows": len(x_train)})

    model = RandomForestClassifier(n_estimators=args.n_estimators, max_depth=args.max_depth, random_state=42)
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    accuracy = accuracy_score(y_test, predicted)
    f1 = f1_score(y_test, predicted, average="macro")
    lathe.log_metrics({"accuracy": accuracy, "f1_macro": f1})
    lathe.set_tag("sklearn_version", sklearn.__version__)
    print(f"accuracy={accuracy:.4f} f1_macro={f1:.4f}")

    os.makedirs(args.model_dir, exist_ok=True)
    for folder in (args.model_dir, "outputs"):
        with open(os.path.join(folder, "model.pkl"), "wb") as f:
            pickle.dump(model, f)
        with open(os.path.join(folder, "metrics.json"), "w") as f:
            json.dump({"accuracy": accuracy, "f1_macro": f1, "sklearn_version": sklearn.__version__}, f)
    print(f"model written to {args.model_dir}")


if __name__ == "__main__":
    main()
