/** Every package manager whose cache cache-key knows how to key, in the order they appear in outputs. */
export const ECOSYSTEM_IDS = [
  'pip',
  'poetry',
  'pipenv',
  'uv',
  'pdm',
  'conda',
  'npm',
  'yarn',
  'yarn-berry',
  'pnpm',
  'go',
  'cargo',
  'maven',
  'gradle',
] as const;

export type EcosystemId = (typeof ECOSYSTEM_IDS)[number];

/** The interpreter or toolchain whose version decides whether a cache is compatible. */
export type RuntimeName = 'python' | 'node' | 'go' | 'rust' | 'java';

/** What cache-key knows about one ecosystem. */
export interface EcosystemSpec {
  id: EcosystemId;
  /**
   * The runtime whose version goes into the key. Conda has none: its environment file pins the interpreter and
   * its package cache holds builds for every Python side by side.
   */
  runtime?: RuntimeName;
  /** What detection looks for, for messages. */
  looksFor: string;
}

export const ECOSYSTEMS: Record<EcosystemId, EcosystemSpec> = {
  pip: {
    id: 'pip',
    runtime: 'python',
    looksFor:
      'requirements*.txt, requirements/*.txt, constraints*.txt, pyproject.toml dependencies, setup.py/setup.cfg',
  },
  poetry: { id: 'poetry', runtime: 'python', looksFor: 'poetry.lock, or pyproject.toml with [tool.poetry]' },
  pipenv: { id: 'pipenv', runtime: 'python', looksFor: 'Pipfile.lock or Pipfile' },
  uv: { id: 'uv', runtime: 'python', looksFor: 'uv.lock' },
  pdm: { id: 'pdm', runtime: 'python', looksFor: 'pdm.lock' },
  conda: { id: 'conda', looksFor: 'environment.yml, environment.yaml, conda-lock.yml' },
  npm: {
    id: 'npm',
    runtime: 'node',
    looksFor: 'package-lock.json, npm-shrinkwrap.json, or package.json without a lockfile',
  },
  yarn: { id: 'yarn', runtime: 'node', looksFor: 'yarn.lock (classic, v1)' },
  'yarn-berry': { id: 'yarn-berry', runtime: 'node', looksFor: 'yarn.lock with __metadata (Yarn 2+)' },
  pnpm: { id: 'pnpm', runtime: 'node', looksFor: 'pnpm-lock.yaml' },
  go: { id: 'go', runtime: 'go', looksFor: 'go.sum, go.mod, go.work' },
  cargo: { id: 'cargo', runtime: 'rust', looksFor: 'Cargo.lock, or Cargo.toml without a lockfile' },
  maven: { id: 'maven', runtime: 'java', looksFor: 'pom.xml' },
  gradle: {
    id: 'gradle',
    runtime: 'java',
    looksFor:
      'build.gradle(.kts), settings.gradle(.kts), gradle.properties, gradle/libs.versions.toml, *.lockfile, gradle-wrapper.properties',
  },
};

/** True for a known ecosystem id. */
export function isEcosystemId(value: string): value is EcosystemId {
  return (ECOSYSTEM_IDS as readonly string[]).includes(value);
}
