import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffChangedFiles } from '@ci-optimizer/core/git';
import { pythonPack } from '@ci-optimizer/core/languages/python';
import {
  directoryGraphCacheStore,
  resolveTestFilterOptions,
  selectAffectedTests,
  type SelectTestsRequest,
} from '@ci-optimizer/core/test-filter';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';

// `patchFacts: 'scan'` (test-predictor's predict): a warm selection patches the stored graph with the changed files'
// scans instead of their full analysis. The imports are the same, so the selection is too; only whether a changed
// file parses is not judged (listed in `syntaxUnjudged`), and the parser is loaded only for a file the scan cannot read.
describe("a warm selection with patchFacts: 'scan'", () => {
  let repo: TempGitRepo;
  let storeDir: string;
  let base: string;

  beforeAll(async () => {
    repo = new TempGitRepo();
    storeDir = tempDir('ci-opt-scanned-patch-');
    repo.write({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'pkg/__init__.py': '',
      'pkg/a.py': 'def a():\n    return 1\n',
      'pkg/b.py': 'from pkg.a import a\n\n\ndef b():\n    return a() + 1\n',
      'pkg/c.py': 'C = 1\n',
      'pkg/d.py': 'D = 1\n',
      'tests/test_a.py': 'from pkg.a import a\n\n\ndef test_a():\n    assert a()\n',
      'tests/test_b.py': 'from pkg.b import b\n\n\ndef test_b():\n    assert b()\n',
      'tests/test_c.py': 'import pkg.c\n\n\ndef test_c():\n    assert pkg.c.C\n',
      'tests/test_d.py': 'from pkg import d\n\n\ndef test_d():\n    assert d.D\n',
    });
    base = repo.commit('base');
    // A first selection builds the graph of this tree and stores it: the later ones patch it.
    repo.write({ 'pkg/d.py': 'D = 2\n' });
    const first = repo.commit('first');
    await select(first, 'parse');
  });
  afterAll(() => {
    repo.remove();
    rmSync(storeDir, { recursive: true, force: true });
  });

  /** The selection of base..head on the store, and how often the language's parser was asked to load. */
  async function select(head: string, patchFacts: 'parse' | 'scan') {
    let prepared = 0;
    const language = {
      ...pythonPack.language,
      prepare() {
        prepared += 1;
        return pythonPack.language.prepare!();
      },
    };
    const request: SelectTestsRequest = {
      pack: { ...pythonPack, language },
      repoDir: repo.dir,
      head,
      changes: await diffChangedFiles(repo.dir, base, head),
      options: resolveTestFilterOptions({}),
      cache: directoryGraphCacheStore(storeDir),
      patchFacts,
    };
    const selection = await selectAffectedTests(request);
    return { selection, prepared };
  }

  /** A commit on top of base with `files` written. */
  function change(files: Record<string, string>): string {
    repo.git('checkout', '-q', '--detach', base);
    repo.write(files);
    return repo.commit('change');
  }

  const answer = ({
    runAll,
    reasons,
    tests,
    explanations,
    distances,
  }: Awaited<ReturnType<typeof select>>['selection']) => ({
    runAll,
    reasons,
    tests: [...tests].sort(),
    explanations,
    distances,
  });

  it('selects what the full analysis selects, without loading the parser', async () => {
    const head = change({ 'pkg/a.py': 'import pkg.c\n\n\ndef a():\n    return pkg.c.C\n', 'pkg/b.py': 'B = 1\n' });
    const parsed = await select(head, 'parse');
    const scanned = await select(head, 'scan');
    expect(answer(scanned.selection)).toEqual(answer(parsed.selection));
    expect(scanned.selection.tests.sort()).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(scanned.selection.stats.scannedFiles).toBe(scanned.selection.stats.parsedFiles);
    expect(scanned.selection.stats.parsedFiles).toBeGreaterThanOrEqual(2);
    expect(scanned.selection.syntaxUnjudged?.sort()).toEqual(['pkg/a.py', 'pkg/b.py']);
    expect(scanned.prepared).toBe(0);
    // The default judges them: the parser is loaded, nothing is listed.
    expect(parsed.prepared).toBeGreaterThan(0);
    expect(parsed.selection.syntaxUnjudged).toBeUndefined();
  });

  it('does not judge whether a changed file parses: no run-all for it, the file is listed', async () => {
    const head = change({ 'pkg/a.py': 'def a():\n    return 1 +\n' });
    const parsed = await select(head, 'parse');
    expect(parsed.selection.runAll).toBe(true);
    expect(parsed.selection.reasons).toEqual(['pkg/a.py does not parse (line 2, column 5): its imports are unknown.']);
    const scanned = await select(head, 'scan');
    expect(scanned.selection.runAll).toBe(false);
    expect(scanned.selection.tests.sort()).toEqual(['tests/test_a.py', 'tests/test_b.py']);
    expect(scanned.selection.syntaxUnjudged).toEqual(['pkg/a.py']);
    expect(scanned.prepared).toBe(0);
  });

  it('analyses in full a file the scan cannot read (a computed import): judged, the same selection', async () => {
    const head = change({
      'pkg/a.py': "import importlib\n\n\ndef a():\n    return importlib.import_module('pkg.c')\n",
    });
    const parsed = await select(head, 'parse');
    const scanned = await select(head, 'scan');
    expect(answer(scanned.selection)).toEqual(answer(parsed.selection));
    // pkg/d.py (back to base's since the stored tree) is scanned; pkg/a.py is analysed.
    const { parsedFiles, scannedFiles } = scanned.selection.stats;
    expect(parsedFiles - scannedFiles).toBe(1);
    expect(scanned.selection.syntaxUnjudged).toEqual([]);
    expect(scanned.prepared).toBeGreaterThan(0);
  });
});
