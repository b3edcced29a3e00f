import { listTreeBlobs, readBlobs } from '../git/index.ts';
import type { TestFramework, TestMatcher } from '../languages/index.ts';

/** A commit's test files as its test framework finds them, with what decided it. */
export interface DiscoveredTests<D = unknown> {
  /** Every file of the commit (path -> blob id). */
  files: Map<string, string>;
  discovery: D;
  matcher: TestMatcher;
  /** The test files (repository-relative), sorted. */
  tests: string[];
}

/**
 * The one test discovery: reads the framework's configuration files of the project folder at `rev` from git's
 * objects (the working tree does not matter), and lists the files of the tree the framework collects as tests.
 * `files` is the tree listing when the caller already has it; `read` reads blobs (a caller's open object reader).
 */
export async function discoverTests<D>(
  framework: TestFramework<D>,
  repoDir: string,
  rev: string,
  projectDir: string,
  files?: Map<string, string>,
  read: (ids: readonly string[]) => Promise<Map<string, string>> = (ids) => readBlobs(repoDir, ids),
): Promise<DiscoveredTests<D>> {
  const listing = files ?? (await listTreeBlobs(repoDir, rev));
  const configBlobs = new Map<string, string>();
  for (const name of framework.configFiles) {
    const blob = listing.get(projectDir ? `${projectDir}/${name}` : name);
    if (blob) configBlobs.set(name, blob);
  }
  const texts = await read([...configBlobs.values()]);
  const discovery = await framework.loadDiscovery(async (name) => {
    const blob = configBlobs.get(name);
    return blob === undefined ? undefined : texts.get(blob);
  });
  const matcher = framework.matcher(discovery, projectDir);
  const tests = [...listing.keys()].filter((path) => matcher.isTestFile(path)).sort();
  return { files: listing, discovery, matcher, tests };
}
