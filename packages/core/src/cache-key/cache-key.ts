import { posix, relative, resolve } from 'node:path';
import { UserError } from '../errors/index.ts';
import { cachePathsFor, toRunnerOs } from './cache-paths.ts';
import { composeKey, dateBucket, type Rotation } from './compose.ts';
import { combineHashes, hashDependencyFiles, type HashedFile } from './dependency-hash.ts';
import { detectEcosystems, type DetectedEcosystem } from './detect.ts';
import { ECOSYSTEMS, type EcosystemId, type RuntimeName } from './ecosystems.ts';
import { parseRuntimeVersion, resolveRuntimeVersion, type RuntimeVersion } from './runtime-version.ts';

export interface CacheKeyRequest {
  /** The workspace (absolute). */
  root: string;
  /** Where to look for dependency files (absolute, inside `root`); the root by default. */
  workingDirectory?: string;
  /** Ecosystems to key; detected from the files when empty. */
  ecosystems?: EcosystemId[];
  /** Globs (relative to the working directory) limiting which dependency files count; for monorepos. */
  globs?: string[];
  prefix?: string;
  /** `RUNNER_OS` (`Linux`, `macOS`, `Windows`). */
  os: string;
  /** The runner image (`ImageOS`: `ubuntu24`, `macos15`, `win22`); keeps caches of different images apart. */
  image?: string;
  /** `RUNNER_ARCH` (`X64`, `ARM64`). */
  arch: string;
  cacheVersion?: string;
  rotate?: Rotation;
  now?: Date;
  /** Versions given as inputs, used when the interpreter cannot be asked. */
  runtimeInputs?: Partial<Record<RuntimeName, string>>;
  /** Ask the real interpreters (default true). */
  probe?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The key of one ecosystem, for workflows that keep one cache per tool. */
export interface EcosystemKey {
  id: EcosystemId;
  files: HashedFile[];
  hash: string;
  runtime?: RuntimeVersion;
  key: string;
  restoreKeys: string[];
  paths: string[];
}

export interface CacheKeyResult {
  /** One key for all detected ecosystems together (what the action's `key` output carries). */
  key: string;
  restoreKeys: string[];
  paths: string[];
  hash: string;
  ecosystems: EcosystemKey[];
  /** Things the user should know: a runtime that could not be pinned, an input that disagrees with PATH. */
  warnings: string[];
}

/**
 * Computes cache keys from the repository's dependency files, the runner and the runtimes: the core of the
 * cache-key action and command.
 */
export async function computeCacheKeys(request: CacheKeyRequest): Promise<CacheKeyResult> {
  const root = resolve(request.root);
  const workDir = resolve(request.workingDirectory ?? root);
  const env = request.env ?? process.env;
  const warnings: string[] = [];
  const detected = selectEcosystems(workDir, request);

  const os = toRunnerOs(request.os);
  const osSegment = request.image?.trim() ? request.image.trim().toLowerCase() : os.toLowerCase();
  const arch = (request.arch.trim() || 'x64').toLowerCase();
  const cacheVersion = request.cacheVersion ?? '';
  const bucket = dateBucket(request.rotate ?? 'none', request.now ?? new Date());
  const prefix = request.prefix ?? 'deps';

  const runtimes = new Map<string, Promise<RuntimeVersion>>();
  const runtimeFor = (runtime: RuntimeName, projectDirs: string[]): Promise<RuntimeVersion> => {
    // One project folder: its own version files count. Several: the working directory's.
    const dir = projectDirs.length === 1 ? resolve(workDir, projectDirs[0]) : workDir;
    const cacheKey = `${runtime}\0${dir}`;
    if (!runtimes.has(cacheKey)) {
      runtimes.set(
        cacheKey,
        resolveRuntimeVersion(runtime, { dir, root, inputs: request.runtimeInputs, probe: request.probe, env }),
      );
    }
    return runtimes.get(cacheKey)!;
  };

  const ecosystems: EcosystemKey[] = [];
  for (const found of detected) {
    const spec = ECOSYSTEMS[found.id];
    const { hash, files } = hashDependencyFiles(workDir, found.files);
    const runtime = spec.runtime ? await runtimeFor(spec.runtime, found.projectDirs) : undefined;
    if (runtime) warnings.push(...runtimeWarnings(found.id, runtime, request.runtimeInputs?.[runtime.runtime]));
    const composed = composeKey({
      prefix,
      tools: [found.id],
      os: osSegment,
      arch,
      runtimes: runtime ? [runtime.segment] : [],
      cacheVersion,
      bucket,
      hash,
    });
    const relDirs = found.projectDirs.map((dir) => toRootRelative(root, workDir, dir));
    const paths = cachePathsFor(found.id, { os, env, root, projectDirs: relDirs });
    ecosystems.push({ id: found.id, files, hash, runtime, paths, ...composed });
  }

  const hash = combineHashes(ecosystems.map((e) => e.hash));
  const runtimeSegments = [...new Set(ecosystems.flatMap((e) => (e.runtime ? [e.runtime.segment] : [])))].sort();
  const combined = composeKey({
    prefix,
    tools: ecosystems.map((e) => e.id),
    os: osSegment,
    arch,
    runtimes: runtimeSegments,
    cacheVersion,
    bucket,
    hash,
  });
  const paths = [...new Set(ecosystems.flatMap((e) => e.paths))];
  return { ...combined, paths, hash, ecosystems, warnings: [...new Set(warnings)] };
}

function selectEcosystems(workDir: string, request: CacheKeyRequest): DetectedEcosystem[] {
  const detected = detectEcosystems(workDir, { globs: request.globs });
  const where = request.globs?.length ? `${workDir} (files matching ${request.globs.join(', ')})` : workDir;
  if (request.ecosystems && request.ecosystems.length > 0) {
    return request.ecosystems.map((id) => {
      const found = detected.find((d) => d.id === id);
      if (!found) {
        throw new UserError(
          `Input 'ecosystems' asks for '${id}', but no ${id} dependency file was found in ${where}. ` +
            `cache-key looks for ${ECOSYSTEMS[id].looksFor}. Set 'working-directory' to the project folder, ` +
            `widen 'dependency-files', or drop '${id}' from 'ecosystems'.`,
        );
      }
      return found;
    });
  }
  if (detected.length === 0) {
    throw new UserError(
      `No dependency files found in ${where}, so there is nothing to key a cache on. Check out the repository ` +
        `before this step, set 'working-directory' to the project folder, or name the files with 'dependency-files'.`,
    );
  }
  return detected;
}

function runtimeWarnings(id: EcosystemId, runtime: RuntimeVersion, input: string | undefined): string[] {
  const warnings: string[] = [];
  const name = runtime.runtime;
  if (!runtime.exact) {
    warnings.push(
      `The ${name} version for the ${id} cache is not pinned (${runtime.source}${runtime.version ? `: '${runtime.version}'` : ''}), ` +
        `so the key cannot keep caches of different ${name} versions apart. Run this step after the ${name} setup ` +
        `step, or set input '${name}-version'.`,
    );
  }
  if (input && runtime.source.startsWith('interpreter')) {
    const wanted = resolveInputSegment(name, input);
    if (wanted && wanted !== runtime.segment) {
      warnings.push(
        `Input '${name}-version' is '${input}' but the ${name} on PATH is ${runtime.version} (${runtime.segment}); ` +
          `the key uses the interpreter that will run. Run cache-key after the step that installs ${name} ${input}.`,
      );
    }
  }
  return warnings;
}

function resolveInputSegment(name: RuntimeName, input: string): string | undefined {
  const parsed = parseRuntimeVersion(name, input);
  return parsed?.exact ? parsed.segment : undefined;
}

/** A project folder relative to the detection root, re-expressed relative to the workspace root. */
function toRootRelative(root: string, workDir: string, dir: string): string {
  const rel = relative(root, resolve(workDir, dir)).split('\\').join('/');
  return rel === '' ? '.' : posix.normalize(rel);
}
