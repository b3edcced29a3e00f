#!/usr/bin/env python3
"""Reference side of bench/model.mjs: trains real XGBoost on the same rows and times it.

Usage: model.py SPEC.json   (SPEC names the float32 row files and the parameters; prints JSON results)
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb


def main():
    spec = json.load(open(sys.argv[1]))
    test_X = np.fromfile(spec["test"]["rows"], dtype="<f4").reshape(-1, spec["cols"])
    results = []
    for size in spec["sizes"]:
        X = np.fromfile(size["rows"], dtype="<f4").reshape(-1, spec["cols"])
        y = np.fromfile(size["labels"], dtype="u1").astype(np.float32)
        entry = {"rows": int(X.shape[0])}
        for threads in spec["threads"]:
            params = dict(spec["params"], base_score=size["base_score"], nthread=threads)
            start = time.perf_counter()
            data = xgb.DMatrix(X, label=y, nthread=threads)
            booster = xgb.train(params, data, spec["rounds"])
            entry[f"seconds_{threads}"] = time.perf_counter() - start
            if threads == spec["threads"][0]:
                entry["test_probabilities"] = booster.predict(xgb.DMatrix(test_X, nthread=threads)).astype(float).tolist()
        results.append(entry)
    json.dump({"version": xgb.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
