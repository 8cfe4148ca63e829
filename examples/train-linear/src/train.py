"""Fit y = a*x + b with plain gradient descent. Standard library only."""
import argparse
import csv
import json
import os

import lathe


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--model-dir", default="outputs")
    args = parser.parse_args()

    with open(args.data, newline="") as f:
        points = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f)]
    print(f"loaded {len(points)} points from {args.data}")

    lathe.log_params({"epochs": args.epochs, "learning_rate": args.learning_rate, "n_points": len(points)})
    a, b = 0.0, 0.0
    n = len(points)
    for epoch in range(args.epochs):
        grad_a = sum(2 * (a * x + b - y) * x for x, y in points) / n
        grad_b = sum(2 * (a * x + b - y) for x, y in points) / n
        a -= args.learning_rate * grad_a
        b -= args.learning_rate * grad_b
        loss = sum((a * x + b - y) ** 2 for x, y in points) / n
        lathe.log_metric("loss", loss, step=epoch)
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch}: loss={loss:.5f} a={a:.4f} b={b:.4f}")

    lathe.log_metrics({"final_a": a, "final_b": b})
    lathe.set_tag("model_kind", "linear")
    model = {"a": a, "b": b, "epochs": args.epochs}
    os.makedirs(args.model_dir, exist_ok=True)
    for folder in (args.model_dir, "outputs"):
        with open(os.path.join(folder, "model.json"), "w") as f:
            json.dump(model, f)
    print(f"model written: a={a:.4f} b={b:.4f}")


if __name__ == "__main__":
    main()
