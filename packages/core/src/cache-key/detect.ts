import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { minimatch } from 'minimatch';
import { ECOSYSTEM_IDS, type EcosystemId } from './ecosystems.ts';
import { isYarnBerryLock, pyprojectDeclaresDependencies } from './normalize.ts';

/** One ecosystem found in the repository and the files that decide its cache content. */
export interface DetectedEcosystem {
  id: EcosystemId;
  /** Dependency files, relative to the detection root, POSIX separators, sorted. */
  files: string[];
  /** Folders holding a project of this ecosystem (where its lockfile or manifest is), relative, '.' for the root. */
  projectDirs: string[];
}

export interface DetectOptions {
  /** Only files matching one of these globs (relative to the root) are considered; for monorepos. */
  globs?: string[];
  /** How deep to look below the root. */
  maxDepth?: number;
}

/** Folders that hold installed or generated content, never the project's own dependency declarations. */
const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'site-packages',
  'target',
  'build',
  'dist',
  '.gradle',
  '.yarn',
  '.pnpm-store',
  'vendor',
  '.ci-optimizer',
  '.cache',
]);

const REQUIREMENTS_FILE = /^(.*[-_.])?(requirements|constraints)([-_.].*)?\.txt$/is;
const GRADLE_FILES = new Set([
  'build.gradle',
  'build.gradle.kts',
  'settings.gradle',
  'settings.gradle.kts',
  'gradle.properties',
  'gradle.lockfile',
  'buildscript-gradle.lockfile',
]);
const CONDA_FILES = new Set(['environment.yml', 'environment.yaml', 'conda-lock.yml', 'conda-lock.yaml']);

/** Lists the files below `root` (relative, POSIX), skipping install and build folders. */
export function listProjectFiles(root: string, maxDepth = 8): string[] {
  const files: string[] = [];
  const walk = (relDir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(relDir === '.' ? root : posix.join(root, relDir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = relDir === '.' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && depth < maxDepth) walk(rel, depth + 1);
      } else if (entry.isFile()) {
        files.push(rel);
      }
    }
  };
  walk('.', 0);
  return files.sort();
}

/**
 * Finds the ecosystems of a repository (or one folder of a monorepo) from its files. In each folder the lockfile
 * owns the manifest: a pyproject.toml next to uv.lock belongs to uv, not pip; a package.json below a folder with a
 * lockfile is a workspace member of that lockfile.
 */
export function detectEcosystems(root: string, options: DetectOptions = {}): DetectedEcosystem[] {
  let files = listProjectFiles(root, options.maxDepth);
  if (options.globs && options.globs.length > 0) {
    const globs = options.globs.map((glob) => glob.replace(/^\.\//, ''));
    files = files.filter((file) => globs.some((glob) => minimatch(file, glob, { dot: true })));
  }
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = posix.dirname(file);
    if (!byDir.has(dir)) byDir.set(dir, new Set());
    byDir.get(dir)!.add(posix.basename(file));
  }
  const read = (rel: string): string => {
    try {
      return readFileSync(posix.join(root, rel), 'utf8');
    } catch {
      return '';
    }
  };
  const found = new Map<EcosystemId, { files: Set<string>; dirs: Set<string> }>();
  const add = (id: EcosystemId, dir: string, names: string[]): void => {
    if (names.length === 0) return;
    if (!found.has(id)) found.set(id, { files: new Set(), dirs: new Set() });
    const entry = found.get(id)!;
    for (const name of names) entry.files.add(dir === '.' ? name : `${dir}/${name}`);
    entry.dirs.add(projectDirOf(dir));
  };

  const jsLockDirs = new Set<string>();
  const cargoLockDirs = new Set<string>();
  for (const [dir, names] of byDir) {
    if (['pnpm-lock.yaml', 'yarn.lock', 'package-lock.json', 'npm-shrinkwrap.json'].some((n) => names.has(n))) {
      jsLockDirs.add(dir);
    }
    if (names.has('Cargo.lock')) cargoLockDirs.add(dir);
  }

  for (const [dir, names] of [...byDir].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const has = (name: string): boolean => names.has(name);
    const inDir = (rel: string): string => (dir === '.' ? rel : `${dir}/${rel}`);
    detectPython(dir, names, read(inDir('pyproject.toml')), add);

    if (has('pnpm-lock.yaml')) add('pnpm', dir, ['pnpm-lock.yaml']);
    if (has('yarn.lock')) add(isYarnBerryLock(read(inDir('yarn.lock'))) ? 'yarn-berry' : 'yarn', dir, ['yarn.lock']);
    const npmLocks = ['package-lock.json', 'npm-shrinkwrap.json'].filter(has);
    add('npm', dir, npmLocks);
    if (has('package.json') && !hasAncestorIn(dir, jsLockDirs)) add('npm', dir, ['package.json']);

    add('go', dir, ['go.mod', 'go.sum', 'go.work', 'go.work.sum'].filter(has));
    if (has('Cargo.lock')) add('cargo', dir, ['Cargo.lock']);
    else if (has('Cargo.toml') && !hasAncestorIn(dir, cargoLockDirs)) add('cargo', dir, ['Cargo.toml']);
    if (has('pom.xml')) add('maven', dir, ['pom.xml']);
    const gradle = [...names].filter((name) => GRADLE_FILES.has(name) || isGradleSideFile(dir, name));
    add('gradle', dir, gradle);
    add('conda', dir, [...names].filter((name) => CONDA_FILES.has(name)).sort());
  }

  return ECOSYSTEM_IDS.filter((id) => found.has(id)).map((id) => ({
    id,
    files: [...found.get(id)!.files].sort(),
    projectDirs: [...found.get(id)!.dirs].sort(),
  }));
}

function detectPython(
  dir: string,
  names: Set<string>,
  pyproject: string,
  add: (id: EcosystemId, dir: string, names: string[]) => void,
): void {
  const has = (name: string): boolean => names.has(name);
  let pyprojectOwned = false;
  if (has('uv.lock')) {
    add('uv', dir, ['uv.lock']);
    pyprojectOwned = true;
  }
  if (has('poetry.lock')) {
    add('poetry', dir, ['poetry.lock']);
    pyprojectOwned = true;
  } else if (has('pyproject.toml') && /^\[tool\.poetry\]/m.test(pyproject)) {
    add('poetry', dir, ['pyproject.toml']);
    pyprojectOwned = true;
  }
  if (has('pdm.lock')) {
    add('pdm', dir, ['pdm.lock']);
    pyprojectOwned = true;
  }
  if (has('Pipfile.lock')) add('pipenv', dir, ['Pipfile.lock']);
  else if (has('Pipfile')) add('pipenv', dir, ['Pipfile']);

  // A `requirements/` folder of .txt files is the other common layout (requirements/base.txt, requirements/dev.txt).
  const inRequirementsDir = posix.basename(dir) === 'requirements';
  const pip = [...names].filter((name) => REQUIREMENTS_FILE.test(name) || (inRequirementsDir && name.endsWith('.txt')));
  if (!pyprojectOwned && has('pyproject.toml') && pyprojectDeclaresDependencies(pyproject)) pip.push('pyproject.toml');
  if (pip.length === 0 && !pyprojectOwned && !has('Pipfile')) {
    pip.push(...['setup.py', 'setup.cfg'].filter(has));
  }
  add('pip', dir, pip.sort());
}

/** `gradle/libs.versions.toml` and `gradle/wrapper/gradle-wrapper.properties` decide what Gradle downloads. */
function isGradleSideFile(dir: string, name: string): boolean {
  if (name === 'gradle-wrapper.properties' && dir.endsWith('gradle/wrapper')) return true;
  return name.endsWith('.versions.toml') && posix.basename(dir) === 'gradle';
}

/** The project a file belongs to: `gradle/wrapper` and `requirements/` are parts of the folder above them. */
function projectDirOf(dir: string): string {
  let current = dir;
  for (const part of ['gradle/wrapper', 'gradle', 'requirements']) {
    if (current === part) return '.';
    if (current.endsWith(`/${part}`)) current = current.slice(0, -part.length - 1);
  }
  return current;
}

function hasAncestorIn(dir: string, dirs: Set<string>): boolean {
  let current = dir;
  for (;;) {
    if (dirs.has(current)) return true;
    if (current === '.') return false;
    const parent = posix.dirname(current);
    current = parent === current ? '.' : parent;
  }
}
