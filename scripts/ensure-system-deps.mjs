// The tests, benchmarks and demo need a few system packages (real tar/zstd, Debian's pytest and friends, real
// XGBoost for the model parity tests, GNU time for the benchmarks' memory figures, kubectl for the kustomize test).
// Installs them with apt-get when running as root on Debian/Ubuntu, otherwise stops with the exact command to run.
// Nothing is installed when everything is already there. Optional packages that apt cannot offer are skipped with a
// message naming what is skipped. Usage: node scripts/ensure-system-deps.mjs [--check] (--check: report, install nothing)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';
/** Debian package(s) -> how to tell it is installed. `optional`: without it a test is skipped (say which). */
const REQUIREMENTS = [
  { pkgs: ['git'], check: () => has('git', ['--version']) },
  { pkgs: ['tar'], check: () => has('tar', ['--version']) },
  { pkgs: ['zstd'], check: () => has('zstd', ['--version']) },
  {
    pkgs: ['time'],
    check: () => existsSync('/usr/bin/time'),
    why: 'GNU time: the benchmarks measure peak memory with /usr/bin/time -v',
  },
  { pkgs: ['python3-pytest'], check: () => pyImport('pytest') },
  { pkgs: ['python3-pytest-benchmark'], check: () => pyImport('pytest_benchmark') },
  { pkgs: ['python3-pytest-xdist'], check: () => pyImport('xdist') },
  { pkgs: ['python3-pytest-cov'], check: () => pyImport('pytest_cov') },
  { pkgs: ['python3-coverage'], check: () => pyImport('coverage') },
  { pkgs: ['python3-xgboost'], check: () => pyImport('xgboost') },
  {
    // Debian ships kubectl as kubernetes-client; a Kubernetes apt source as kubectl.
    pkgs: ['kubectl', 'kubernetes-client'],
    check: () => has('kubectl', ['version', '--client']),
    optional: 'the kustomize test of examples/python-service (test/examples/python-service.test.ts) is skipped',
  },
  // The report's HTML page is checked in a real headless browser (test/report/report-html.test.ts).
  { pkgs: ['chromium'], check: () => has('chromium', ['--version']) },
  { pkgs: ['fonts-dejavu-core'], check: () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') },
  // perf-comment's measure: instructions (test/perf/ab-bench-package.test.ts).
  { pkgs: ['valgrind'], check: () => has('valgrind', ['--version']) },
];

function has(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function pyImport(module) {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

/** True when apt knows a candidate version of the package (`apt-cache policy` prints "Candidate: <version>"). */
function aptOffers(pkg) {
  const result = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const candidate = /Candidate:\s*(\S+)/.exec(result.stdout ?? '')?.[1];
  return result.status === 0 && candidate !== undefined && candidate !== '(none)';
}

const checkOnly = process.argv.includes('--check');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = has('apt-get', ['--version']);
const missing = REQUIREMENTS.filter((requirement) => !requirement.check());
const required = missing.filter((r) => !r.optional).map((r) => r.pkgs[0]);
const optional = [];
for (const requirement of missing.filter((r) => r.optional)) {
  const pkg = hasApt ? requirement.pkgs.find(aptOffers) : undefined;
  if (pkg) optional.push(pkg);
  else
    console.error(
      `Note: ${requirement.pkgs.join(' / ')} is not installed and apt offers no candidate for it (apt-cache policy ${requirement.pkgs.join(' ')}); ${requirement.optional}.`,
    );
}
const wanted = [...required, ...optional];
if (wanted.length > 0) {
  const command = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${wanted.join(' ')}`;
  if (isRoot && hasApt && !checkOnly) {
    console.error(`Installing system packages the tests need: ${wanted.join(', ')}`);
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const install =
      update.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...wanted], {
            stdio: 'inherit',
            env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          })
        : update;
    if (install.status !== 0) {
      console.error(`Could not install ${wanted.join(', ')}. Run: ${command}`);
      if (required.length > 0) process.exit(1);
    }
  } else if (required.length > 0) {
    console.error(`Missing system packages: ${required.join(', ')}.\nRun: ${command}`);
    process.exit(1);
  } else {
    console.error(`Optional system packages missing: ${optional.join(', ')}. To install them: ${command}`);
  }
}
