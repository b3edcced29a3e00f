// Training time of the core's GBDT (packages/core/src/model) for 10k and 100k rows x 20 features, against real
// XGBoost (python3-xgboost, tree_method=hist, same parameters) measured in the same run on the same rows, with the
// held-out ROC AUC and PR AUC of both. Our trainer is single-threaded, so the ratio is taken against XGBoost on
// one thread; XGBoost on every core is shown too. The data is the synthetic test-failure set of the model tests
// (about 3% positives, missing values) with 10 extra noise columns.
//
// Usage: node bench/model.mjs [--quick] [--rounds N] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCoreBundle } from './core.bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const roundsIndex = args.indexOf('--rounds');
const rounds = roundsIndex >= 0 ? Number(args[roundsIndex + 1]) : 100;
const sizes = quick ? [10_000, 30_000] : [10_000, 100_000];
const PYTHON = '/usr/bin/python3';
const params = { numRounds: rounds, eta: 0.1, maxDepth: 6, minChildWeight: 1, lambda: 1, maxBin: 256 };

const tmp = mkdtempSync(join(tmpdir(), 'ci-opt-bench-model-'));
try {
  // Bundled with esbuild so the benchmark runs on any Node the runner has, like the other benchmarks.
  const m = await importCoreBundle(
    [
      "export * from './packages/core/src/model/index.ts';",
      "export { syntheticFailures } from './test/model/synthetic-failures.ts';",
    ],
    join(tmp, 'model.mjs'),
    { alias: { '@ci-optimizer/core/model': './packages/core/src/model/index.ts' } },
  );

  const test = m.syntheticFailures(20_000, 902, 10);
  const write = (name, typed) => {
    const file = join(tmp, name);
    writeFileSync(file, Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength));
    return file;
  };
  const spec = {
    cols: test.cols,
    rounds,
    threads: [...new Set([1, availableParallelism()])],
    params: m.toXgboostParams(m.resolveGbdtParams(params), 0.5),
    test: { rows: write('test.f32', test.values) },
    sizes: [],
  };
  delete spec.params.base_score;
  delete spec.params.seed;
  delete spec.params.eval_metric;

  const ours = [];
  for (const rows of sizes) {
    const train = m.syntheticFailures(rows, 901, 10);
    const started = performance.now();
    const result = m.trainGbdt(train, params);
    const seconds = (performance.now() - started) / 1000;
    const p = m.predictProbabilities(result.model, test);
    ours.push({
      rows,
      seconds,
      trees: result.model.trees.length,
      auc: m.rocAuc(p, test.labels),
      ap: m.averagePrecision(p, test.labels),
    });
    spec.sizes.push({
      rows: write(`train-${rows}.f32`, train.values),
      labels: write(`labels-${rows}.u8`, train.labels),
      base_score: result.model.baseScore,
    });
  }

  let reference = null;
  const specFile = join(tmp, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const run = spawnSync(PYTHON, [join(root, 'bench', 'model.py'), specFile], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (run.status === 0) reference = JSON.parse(run.stdout);
  else
    console.error(
      `XGBoost reference not measured (${PYTHON} with xgboost and numpy is needed): ${run.stderr.trim().split('\n').pop()}`,
    );

  const rowsOut = ours.map((o, i) => {
    const ref = reference?.results[i];
    const refP = ref?.test_probabilities;
    return {
      rows: o.rows,
      features: test.cols,
      trees: o.trees,
      oursSeconds: o.seconds,
      xgboostSeconds1: ref ? ref.seconds_1 : null,
      xgboostSecondsAll: ref ? ref[`seconds_${spec.threads.at(-1)}`] : null,
      ratio: ref ? o.seconds / ref.seconds_1 : null,
      oursAuc: o.auc,
      xgboostAuc: refP ? m.rocAuc(refP, test.labels) : null,
      oursAp: o.ap,
      xgboostAp: refP ? m.averagePrecision(refP, test.labels) : null,
    };
  });
  if (json) {
    console.log(JSON.stringify({ params, xgboost: reference?.version ?? null, rows: rowsOut }));
  } else {
    const f = (v, d = 2) => (v === null ? 'n/a' : v.toFixed(d));
    console.log(
      `GBDT training, ${rounds} rounds, depth ${params.maxDepth}, eta ${params.eta}, max_bin ${params.maxBin}; ` +
        `held-out set of ${test.rows} rows; XGBoost ${reference?.version ?? 'not available'} (tree_method=hist)\n`,
    );
    console.log(
      `| rows x features | ours (s) | XGBoost 1 thread (s) | ours / XGBoost 1 thread | XGBoost ${spec.threads.at(-1)} threads (s) | ROC AUC ours / XGBoost | PR AUC ours / XGBoost |`,
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rowsOut) {
      console.log(
        `| ${r.rows} x ${r.features} | ${f(r.oursSeconds)} | ${f(r.xgboostSeconds1)} | ${f(r.ratio)}x | ${f(r.xgboostSecondsAll)} | ` +
          `${f(r.oursAuc, 4)} / ${f(r.xgboostAuc, 4)} | ${f(r.oursAp, 4)} / ${f(r.xgboostAp, 4)} |`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
