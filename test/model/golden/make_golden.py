#!/usr/bin/env python3
"""Makes the XGBoost golden files that test/model/xgboost-parity.test.ts checks our GBDT against.

Run: /usr/bin/python3 test/model/golden/make_golden.py [--out DIR]   (needs python3-xgboost and numpy)

The synthetic data is built by a bit-exact mirror of test/model/synthetic-failures.ts (same 32-bit generator,
only + - * / and floor), so the TypeScript tests rebuild the same rows instead of reading them from disk; the
fingerprints written here prove it. Everything runs single-threaded so the output is reproducible.
"""
import argparse
import json
import math
import os

import numpy as np
import xgboost as xgb

M32 = 0xFFFFFFFF
FEATURES = [
    "fail_rate_recent", "runs_since_failure", "cofailure_count", "graph_distance", "test_file_changed",
    "shared_path_tokens", "changed_files", "duration_s", "noise_uniform", "noise_centered",
]


class Mulberry32:
    """The SeededRandom of packages/core/src/model/seeded-random.ts."""

    def __init__(self, seed):
        self.state = seed & M32

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        a = self.state
        t = ((a ^ (a >> 15)) * (1 | a)) & M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296


def synthetic_failures(rows, seed, extra_noise=0, missing_rate=0.05):
    """Mirror of syntheticFailures(): same draws, same arithmetic order, same float32 rounding."""
    random = Mulberry32(seed)
    cols = len(FEATURES) + extra_noise
    X = np.empty((rows, cols), dtype=np.float32)
    y = np.empty(rows, dtype=np.float32)
    nan = float("nan")
    for r in range(rows):
        u = [random.next() for _ in range(16 + extra_noise)]
        f0 = nan if u[10] < missing_rate else u[0] * u[0]
        f1 = math.floor(u[1] * 200)
        f2 = math.floor(u[2] * u[2] * 10)
        f3 = nan if u[11] < 0.1 else math.floor(u[3] * 6)
        f4 = 1 if u[4] < 0.05 else 0
        f5 = math.floor(u[5] * 4)
        f6 = math.floor(1 + u[6] * u[6] * u[6] * 50)
        f7 = nan if u[12] < missing_rate else u[7] * u[7] * 30
        f8 = u[8]
        f9 = u[9] + u[13] + u[14] - 1.5
        row = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] + [u[16 + k] for k in range(extra_noise)]
        z = -4.2
        z = z + 2.5 * (0.2 if f0 != f0 else f0)
        z = z + (0.5 if f3 != f3 else 2.0 if f3 == 0 else 1.0 if f3 == 1 else 0.0)
        z = z + 1.5 * f4
        z = z + 0.25 * f2
        z = z + (1.5 if (f0 > 0.5 and f6 > 10) else 0.0)
        z = z - (0.0 if f1 < 20 else 1.0)
        z = z + 0.3 * f5 * (1.0 if f3 == 0 else 0.0)
        s = 0.5 + (0.5 * z) / (1 + abs(z))
        y[r] = 1 if u[15] < s * s * s else 0
        X[r] = row
    return X, y


def fingerprint(X, y):
    flat = X.reshape(-1)
    total = 0.0
    missing = 0
    for i, v in enumerate(flat.tolist()):
        if v != v:
            missing += 1
        else:
            total = total + v * ((i % 7) + 1)
    return {"sum": total, "missing": missing, "positives": int(y.sum())}


def roc_auc(scores, labels):
    """Same definition as rocAuc() in metrics.ts: ties count half."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    tp = fp = area = 0.0
    i = 0
    while i < len(order):
        s = scores[order[i]]
        dtp = dfp = 0.0
        while i < len(order) and scores[order[i]] == s:
            if labels[order[i]] > 0:
                dtp += 1
            else:
                dfp += 1
            i += 1
        area += dfp * (tp + dtp / 2)
        tp += dtp
        fp += dfp
    return area / (tp * fp)


def average_precision(scores, labels):
    """Same definition as averagePrecision() in metrics.ts (scikit-learn's)."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    total_pos = float(sum(1 for v in labels if v > 0))
    tp = seen = ap = 0.0
    i = 0
    while i < len(order):
        s = scores[order[i]]
        dtp = 0.0
        while i < len(order) and scores[order[i]] == s:
            seen += 1
            if labels[order[i]] > 0:
                dtp += 1
            i += 1
        tp += dtp
        if dtp > 0:
            ap += (dtp / total_pos) * (tp / seen)
    return ap


def f32(values):
    """Floats as the shortest decimals that read back as the same float32."""
    return [float(np.format_float_positional(np.float32(v), unique=True, trim="-")) for v in np.asarray(values).reshape(-1)]


# Models to load and score: every depth from 1 to 6, missing values, many trees, exact splits with sampling,
# class weighting and gamma, and DART.
PREDICTION_MODELS = {
    "depth1": ({"max_depth": 1, "eta": 0.3}, 30),
    "depth2_many_trees": ({"max_depth": 2, "eta": 0.05}, 150),
    "depth3_missing": ({"max_depth": 3, "eta": 0.2}, 25),
    "depth4_exact_sampled": ({"max_depth": 4, "tree_method": "exact", "subsample": 0.8, "colsample_bytree": 0.7,
                              "scale_pos_weight": 5, "gamma": 0.5}, 15),
    "depth5_weighted": ({"max_depth": 5, "scale_pos_weight": 10, "lambda": 5}, 12),
    "depth6": ({"max_depth": 6, "min_child_weight": 0.5}, 8),
    "dart_depth3": ({"booster": "dart", "max_depth": 3, "rate_drop": 0.1, "skip_drop": 0.0}, 15),
}
CONTRIBUTION_MODELS = ["depth3_missing", "depth4_exact_sampled"]
PREDICTION_TRAIN = {"rows": 4000, "seed": 1}
PREDICTION_TEST = {"rows": 300, "seed": 2}
CONTRIBUTION_ROWS = 40

# Same parameters for both trainers (names as in GbdtParams); base_score is the training positive rate. With row
# or column sampling the two trainers draw different samples, so those runs compare the mean over several seeds.
PARITY_RUNS = [
    {"name": "depth4", "params": {"numRounds": 120, "eta": 0.1, "maxDepth": 4}, "seeds": [0]},
    {"name": "depth6_weighted_gamma",
     "params": {"numRounds": 100, "eta": 0.1, "maxDepth": 6, "minChildWeight": 2, "gamma": 0.1, "lambda": 2,
                "scalePosWeight": 5}, "seeds": [0]},
    {"name": "depth4_sampled",
     "params": {"numRounds": 80, "eta": 0.1, "maxDepth": 4, "colsampleByTree": 0.7, "subsample": 0.8},
     "seeds": [0, 1, 2]},
]
PARITY_TRAIN = {"rows": 20000, "seed": 11}
PARITY_TEST = {"rows": 20000, "seed": 12}

XGB_NAMES = {"eta": "eta", "maxDepth": "max_depth", "minChildWeight": "min_child_weight", "lambda": "lambda",
             "gamma": "gamma", "colsampleByTree": "colsample_bytree", "subsample": "subsample",
             "scalePosWeight": "scale_pos_weight", "maxBin": "max_bin"}


def dmatrix(X, y=None):
    return xgb.DMatrix(X, label=y, feature_names=FEATURES[: X.shape[1]], nthread=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    out = parser.parse_args().out
    os.makedirs(os.path.join(out, "models"), exist_ok=True)

    X, y = synthetic_failures(**PREDICTION_TRAIN)
    Xt, yt = synthetic_failures(**PREDICTION_TEST)
    Xp, yp = synthetic_failures(**PARITY_TRAIN)
    Xq, yq = synthetic_failures(**PARITY_TEST)
    expected = {
        "xgboost_version": xgb.__version__,
        "fingerprints": [
            dict(PREDICTION_TRAIN, **fingerprint(X, y)),
            dict(PREDICTION_TEST, **fingerprint(Xt, yt)),
            dict(PARITY_TRAIN, **fingerprint(Xp, yp)),
        ],
        "prediction": {"train": PREDICTION_TRAIN, "test": PREDICTION_TEST, "models": {}},
        "contributions": {"rows": CONTRIBUTION_ROWS, "models": {}},
        "parity": {"train": PARITY_TRAIN, "test": PARITY_TEST, "runs": []},
    }

    train, test = dmatrix(X, y), dmatrix(Xt)
    for name, (extra, rounds) in PREDICTION_MODELS.items():
        params = {"objective": "binary:logistic", "tree_method": "hist", "seed": 7, "nthread": 1}
        params.update(extra)
        booster = xgb.train(params, train, rounds)
        path = os.path.join(out, "models", name + ".json")
        booster.save_model(path)
        expected["prediction"]["models"][name] = f32(booster.predict(test))
        if name in CONTRIBUTION_MODELS:
            head = dmatrix(Xt[:CONTRIBUTION_ROWS])
            expected["contributions"]["models"][name] = {
                "shap": f32(booster.predict(head, pred_contribs=True)),
                "saabas": f32(booster.predict(head, pred_contribs=True, approx_contribs=True)),
            }

    ptrain, ptest = dmatrix(Xp, yp), dmatrix(Xq)
    for run in PARITY_RUNS:
        ours = run["params"]
        spw = ours.get("scalePosWeight", 1)
        pos = float(yp.sum()) * spw
        base_score = float(np.float32(pos / (pos + (len(yp) - float(yp.sum())))))
        params = {"objective": "binary:logistic", "tree_method": "hist", "nthread": 1, "base_score": base_score}
        params.update({XGB_NAMES[k]: v for k, v in ours.items() if k in XGB_NAMES})
        figures = []
        for seed in run["seeds"]:
            params["seed"] = seed
            booster = xgb.train(params, ptrain, ours["numRounds"])
            scores = booster.predict(ptest).astype(np.float64).tolist()
            labels = yq.tolist()
            figures.append({"seed": seed, "roc_auc": roc_auc(scores, labels),
                            "average_precision": average_precision(scores, labels)})
        del params["seed"]
        expected["parity"]["runs"].append({
            "name": run["name"], "params": ours, "xgboost_params": params, "seeds": run["seeds"], "figures": figures,
            "roc_auc": sum(f["roc_auc"] for f in figures) / len(figures),
            "average_precision": sum(f["average_precision"] for f in figures) / len(figures),
        })

    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(expected, fh, separators=(",", ":"), sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
