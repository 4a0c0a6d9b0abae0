#!/usr/bin/python3
"""Writes tests/src/test/resources/csv/diabetes.csv from Debian's python3-sklearn (run by hand).

    /usr/bin/python3 tests/src/test/python/make_diabetes_csv.py

The data: Efron, Hastie, Johnstone and Tibshirani, "Least Angle Regression", Annals of Statistics
32(2), 2004: 442 diabetes patients, ten baseline variables (age, sex, body-mass index, average
blood pressure and six blood serum measurements s1..s6) in their original units, and the target
y, a quantitative measure of disease progression one year after baseline. scikit-learn ships it
(BSD-3-Clause) as diabetes_data_raw.csv.gz and diabetes_target.csv.gz; this joins the two under a
header row, unchanged.
"""
import gzip
import os

SRC = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../resources/csv/diabetes.csv")

with gzip.open(os.path.join(SRC, "diabetes_data_raw.csv.gz"), "rt") as f:
    rows = [line.split() for line in f if line.strip()]
with gzip.open(os.path.join(SRC, "diabetes_target.csv.gz"), "rt") as f:
    targets = [float(line) for line in f if line.strip()]
assert len(rows) == len(targets) == 442 and all(len(r) == 10 for r in rows)
with open(OUT, "w") as out:
    out.write("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,y\n")
    for r, t in zip(rows, targets):
        out.write(",".join(r) + ",%g\n" % t)
print("wrote", os.path.normpath(OUT), len(rows), "rows")
