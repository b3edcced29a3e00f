import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { EcosystemId } from './ecosystems.ts';

/** Runner operating systems as `RUNNER_OS` spells them. */
export type RunnerOs = 'Linux' | 'macOS' | 'Windows';

/** Maps `RUNNER_OS`-like text (or a Node platform) onto a runner OS; Linux for anything unknown. */
export function toRunnerOs(value: string): RunnerOs {
  const lower = value.toLowerCase();
  if (lower.startsWith('mac') || lower === 'darwin') return 'macOS';
  if (lower.startsWith('win')) return 'Windows';
  return 'Linux';
}

export interface CachePathContext {
  os: RunnerOs;
  env: NodeJS.ProcessEnv;
  /** The workspace (absolute), to read project settings such as `.yarnrc.yml`. */
  root: string;
  /** The ecosystem's project folders, relative to `root` (for in-project caches like `.yarn/cache`). */
  projectDirs: string[];
}

/**
 * The folders a package manager downloads into on this OS, in the form actions/cache takes (`~` for home).
 * Environment overrides the tools honour (PIP_CACHE_DIR, npm_config_cache, GOMODCACHE, ...) win over defaults.
 * Only download caches are listed, never environments: a wheel cache is safe to restore onto another patch
 * release of the interpreter, a virtualenv (which records the interpreter's path) is not.
 */
export function cachePathsFor(id: EcosystemId, context: CachePathContext): string[] {
  const { os, env } = context;
  const local = (...parts: string[]): string => `~/AppData/Local/${parts.join('/')}`;
  const xdgCache = env.XDG_CACHE_HOME && os === 'Linux' ? env.XDG_CACHE_HOME : '~/.cache';
  const byOs = (linux: string, mac: string, windows: string): string =>
    os === 'Windows' ? windows : os === 'macOS' ? mac : linux;
  switch (id) {
    case 'pip':
      return [env.PIP_CACHE_DIR ?? byOs(`${xdgCache}/pip`, '~/Library/Caches/pip', local('pip', 'Cache'))];
    case 'poetry':
      return [
        env.POETRY_CACHE_DIR ?? byOs(`${xdgCache}/pypoetry`, '~/Library/Caches/pypoetry', local('pypoetry', 'Cache')),
      ];
    case 'pipenv':
      return [
        env.PIPENV_CACHE_DIR ??
          byOs(`${xdgCache}/pipenv`, '~/Library/Caches/pipenv', local('pipenv', 'pipenv', 'Cache')),
      ];
    case 'uv':
      // uv uses the XDG layout on macOS too.
      return [env.UV_CACHE_DIR ?? byOs(`${xdgCache}/uv`, '~/.cache/uv', local('uv', 'cache'))];
    case 'pdm':
      return [env.PDM_CACHE_DIR ?? byOs(`${xdgCache}/pdm`, '~/Library/Caches/pdm', local('pdm', 'pdm', 'Cache'))];
    case 'conda':
      // setup-miniconda's documented package folder; CONDA_PKGS_DIRS may list several.
      return env.CONDA_PKGS_DIRS ? env.CONDA_PKGS_DIRS.split(/[,;]/).filter(Boolean) : ['~/conda_pkgs_dir'];
    case 'npm':
      return [env.npm_config_cache ?? env.NPM_CONFIG_CACHE ?? byOs('~/.npm', '~/.npm', local('npm-cache'))];
    case 'yarn':
      return [
        env.YARN_CACHE_FOLDER ?? byOs(`${xdgCache}/yarn/v6`, '~/Library/Caches/Yarn/v6', local('Yarn', 'Cache', 'v6')),
      ];
    case 'yarn-berry':
      return yarnBerryPaths(context);
    case 'pnpm': {
      if (env.PNPM_STORE_DIR) return [env.PNPM_STORE_DIR];
      if (env.PNPM_HOME) return [`${env.PNPM_HOME}/store`];
      const dataHome = env.XDG_DATA_HOME && os === 'Linux' ? env.XDG_DATA_HOME : '~/.local/share';
      return [byOs(`${dataHome}/pnpm/store`, '~/Library/pnpm/store', local('pnpm', 'store'))];
    }
    case 'go': {
      const gopath = env.GOPATH?.split(os === 'Windows' ? ';' : ':')[0] ?? '~/go';
      return [
        env.GOMODCACHE ?? `${gopath}/pkg/mod`,
        env.GOCACHE ?? byOs(`${xdgCache}/go-build`, '~/Library/Caches/go-build', local('go-build')),
      ];
    }
    case 'cargo': {
      const home = env.CARGO_HOME ?? '~/.cargo';
      return [`${home}/registry/index`, `${home}/registry/cache`, `${home}/git/db`];
    }
    case 'maven':
      return ['~/.m2/repository'];
    case 'gradle': {
      const home = env.GRADLE_USER_HOME ?? '~/.gradle';
      return [`${home}/caches`, `${home}/wrapper`];
    }
  }
}

/**
 * Yarn 2+ keeps its cache in the project (`.yarn/cache`) unless `enableGlobalCache` is on, which is the default
 * from Yarn 4; `.yarnrc.yml` and the `packageManager` field decide.
 */
function yarnBerryPaths(context: CachePathContext): string[] {
  const paths = new Set<string>();
  for (const dir of context.projectDirs) {
    const rc = readOrEmpty(join(context.root, dir, '.yarnrc.yml'));
    const folder = /^cacheFolder:\s*["']?([^"'\n]+)["']?/m.exec(rc)?.[1]?.trim();
    const globalSetting = /^enableGlobalCache:\s*(true|false)/m.exec(rc)?.[1];
    const major = yarnMajor(rc, readOrEmpty(join(context.root, dir, 'package.json')));
    const global = globalSetting === undefined ? major === undefined || major >= 4 : globalSetting === 'true';
    if (folder) paths.add(posix.join(dir, folder));
    else if (global)
      paths.add(context.env.YARN_GLOBAL_FOLDER ? `${context.env.YARN_GLOBAL_FOLDER}/cache` : '~/.yarn/berry/cache');
    else paths.add(posix.join(dir, '.yarn/cache'));
  }
  return [...paths];
}

function yarnMajor(rc: string, packageJson: string): number | undefined {
  const fromManager = /"packageManager"\s*:\s*"yarn@(\d+)/.exec(packageJson)?.[1];
  const fromRelease = /yarnPath:.*yarn-(\d+)\.[\d.]+c?js/.exec(rc)?.[1];
  const major = fromManager ?? fromRelease;
  return major === undefined ? undefined : Number(major);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
