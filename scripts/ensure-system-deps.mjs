// The tests, benchmarks and demo need a few system packages (real tar/zstd, Debian's pytest and friends,
// real XGBoost for the model parity tests). Installs them with apt-get when running as root on Debian/Ubuntu,
// otherwise stops with the exact command to run. Nothing is installed when everything is already there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';
/** Debian package -> how to tell it is installed. */
const REQUIREMENTS = [
  { pkg: 'git', check: () => has('git', ['--version']) },
  { pkg: 'tar', check: () => has('tar', ['--version']) },
  { pkg: 'zstd', check: () => has('zstd', ['--version']) },
  { pkg: 'python3-pytest', check: () => pyImport('pytest') },
  { pkg: 'python3-pytest-benchmark', check: () => pyImport('pytest_benchmark') },
  { pkg: 'python3-pytest-xdist', check: () => pyImport('xdist') },
  { pkg: 'python3-pytest-cov', check: () => pyImport('pytest_cov') },
  { pkg: 'python3-coverage', check: () => pyImport('coverage') },
  { pkg: 'python3-xgboost', check: () => pyImport('xgboost') },
  // perf-comment's measure: instructions (test/perf/ab-bench-package.test.ts).
  { pkg: 'valgrind', check: () => has('valgrind', ['--version']) },
];

function has(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function pyImport(module) {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

const missing = REQUIREMENTS.filter((requirement) => !requirement.check()).map((requirement) => requirement.pkg);
if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get', ['--version'])) {
    console.error(`Installing system packages the tests need: ${missing.join(', ')}`);
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const install = update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      : update;
    if (install.status !== 0) {
      console.error(`Could not install ${missing.join(', ')}. Run: sudo ${command}`);
      process.exit(1);
    }
  } else {
    console.error(`Missing system packages: ${missing.join(', ')}.\nRun: sudo ${command}`);
    process.exit(1);
  }
}
