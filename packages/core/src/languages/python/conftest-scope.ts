import type { DependencyEdge } from '../types.ts';

const dirOf = (path: string) => {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
};

/**
 * pytest's own dependencies: a conftest applies to the tests of its folder and below, up to the project folder
 * (pytest's rootdir). The edges are worked out per conftest when a closure reaches it, not for every test up front.
 */
export class ConftestScope {
  /** How many (test, conftest) edges there are. */
  readonly edgeCount: number;
  private readonly conftestByDir = new Map<string, string>();
  /** Per test folder: the folders whose conftest applies, nearest first. */
  private readonly chains = new Map<string, string[]>();
  private readonly testFiles: readonly string[];
  private readonly projectDir: string;

  constructor(sourcePaths: Iterable<string>, testFiles: readonly string[], projectDir: string) {
    this.testFiles = testFiles;
    this.projectDir = projectDir;
    for (const path of sourcePaths)
      if (path === 'conftest.py' || path.endsWith('/conftest.py')) this.conftestByDir.set(dirOf(path), path);
    let edges = 0;
    for (const test of testFiles) edges += this.chainOf(dirOf(test)).length;
    this.edgeCount = edges;
  }

  /** The tests that use the fixtures of `path` (none unless it is a conftest), in the order of the test files. */
  dependentsOf(path: string): DependencyEdge[] {
    if (this.conftestByDir.size === 0 || !(path === 'conftest.py' || path.endsWith('/conftest.py'))) return [];
    const dir = dirOf(path);
    if (this.conftestByDir.get(dir) !== path) return [];
    const why = `uses the fixtures of ${path}`;
    return this.testFiles
      .filter((test) => this.chainOf(dirOf(test)).includes(dir))
      .map((test) => ({ from: test, to: path, why }));
  }

  private chainOf(testDir: string): string[] {
    let chain = this.chains.get(testDir);
    if (chain) return chain;
    chain = [];
    for (let dir = testDir; ; dir = dirOf(dir)) {
      if (this.conftestByDir.has(dir)) chain.push(dir);
      if (dir === this.projectDir || dir === '') break;
    }
    this.chains.set(testDir, chain);
    return chain;
  }
}
