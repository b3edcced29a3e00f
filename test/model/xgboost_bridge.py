#!/usr/bin/env python3
"""Scores a model file with real XGBoost for the live parity tests (test/model/xgboost-parity.test.ts).

Usage: xgboost_bridge.py MODEL.json ROWS.f32 NROWS NCOLS [RESAVED.json]
ROWS.f32 holds float32 little-endian values, row-major, NaN for missing. Prints JSON with the probabilities and
the TreeSHAP contributions XGBoost computes; with RESAVED.json, also saves the model again as XGBoost writes it.
"""
import json
import sys

import numpy as np
import xgboost as xgb


def main():
    model_path, data_path, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    booster = xgb.Booster(model_file=model_path)
    booster.set_param({"nthread": 1})
    X = np.fromfile(data_path, dtype="<f4").reshape(rows, cols)
    data = xgb.DMatrix(X, feature_names=booster.feature_names, nthread=1)
    result = {
        "probabilities": booster.predict(data).astype(float).tolist(),
        "shap": booster.predict(data, pred_contribs=True).astype(float).reshape(-1).tolist(),
        "num_trees": len(booster.get_dump()),
    }
    if len(sys.argv) > 5:
        booster.save_model(sys.argv[5])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
