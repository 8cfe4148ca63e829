"""Mean of each numeric column per species: reads an MLTable folder's CSV, writes a CSV."""
import csv
import os
import sys
from collections import defaultdict

src, out = sys.argv[1], sys.argv[2]
sums = defaultdict(lambda: defaultdict(float))
counts = defaultdict(lambda: defaultdict(int))
with open(os.path.join(src, "iris.csv"), newline="") as f:
    for row in csv.DictReader(f):
        for k, v in row.items():
            if k != "species" and v:
                sums[row["species"]][k] += float(v)
                counts[row["species"]][k] += 1
cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["species", *cols])
    for sp in sorted(sums):
        w.writerow([sp, *(round(sums[sp][c] / counts[sp][c], 3) for c in cols)])
print("species:", ", ".join(sorted(sums)))
