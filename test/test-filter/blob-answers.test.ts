import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryGraphCacheStore } from '@ci-optimizer/core/test-filter';
import { TempGitRepo, tempDir } from '../support/git-repo.ts';
import { LOADER_PROJECT } from '../support/loader-project.ts';
import { selectBetween, withoutStoredDynamicCalls } from './support.ts';

// What callers pass to a function that imports its parameter is kept by blob between runs (answers-python.json next to
// the graph): a warm run parses only the callers that changed. The store is not trusted for more than the graph is:
// damaged documents and answers of the wrong shape are ignored, and a store fault is a warning.
describe('answers kept by blob (the callers of a computed import)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

  function setup() {
    const repo = new TempGitRepo();
    const storeDir = tempDir('ci-opt-answers-');
    cleanup.push(
      () => repo.remove(),
      () => rmSync(storeDir, { recursive: true, force: true }),
    );
    repo.write(LOADER_PROJECT);
    const base = repo.commit('base');
    const answersFile = join(storeDir, 'test-filter', 'answers-python.json');
    /** A commit that changes the csv plugin again (its callers keep their blobs). */
    let version = 1;
    const changeCsv = () => {
      repo.write({ 'app/plugins/csv.py': `C = ${++version}\n` });
      return repo.commit(`csv ${version}`);
    };
    // Without the computed imports stored with the graph: a warm run whose change no caller has would not ask them.
    const store = withoutStoredDynamicCalls(directoryGraphCacheStore(storeDir));
    return { repo, base, store, storeDir, answersFile, changeCsv };
  }

  it('are saved by the first run and read by the next, for callers whose blob is unchanged', async () => {
    const { repo, base, store, answersFile, changeCsv } = setup();
    const first = await selectBetween(repo, base, changeCsv(), {}, { cache: store });
    expect(first.tests).toEqual(['tests/test_csv.py']);
    const saved = JSON.parse(readFileSync(answersFile, 'utf8'));
    expect(saved).toMatchObject({ schema: 1, language: 'python' });
    const keys = Object.keys(saved.answers);
    expect(keys.length).toBeGreaterThan(0);
    // What each caller passes, and which files name the function.
    const question = /^[0-9a-f]{40,64}\0(python-call-sites\/1\0load_package\0|python-mentions\/2\0load_package$)/;
    expect(keys.every((key) => question.test(key))).toBe(true);
    // One per blob (the two empty `__init__.py` files share one).
    const blobs = new Set(
      Object.entries(LOADER_PROJECT).flatMap(([path, text]) => (path.endsWith('.py') ? [text] : [])),
    );
    expect(keys.filter((key) => key.includes('python-mentions')).length).toBe(blobs.size);

    const head = changeCsv();
    const warm = await selectBetween(repo, base, head, {}, { cache: store });
    const uncached = await selectBetween(repo, base, head);
    expect(warm.tests).toEqual(uncached.tests);
    expect(warm.explanations).toEqual(uncached.explanations);

    // The kept answer is what the next run reads instead of parsing: an answer saying the csv caller passes the xml
    // plugin's name moves the csv change's test away (a store is trusted like the graph it holds).
    writeFileSync(answersFile, readFileSync(answersFile, 'utf8').replaceAll('app.plugins.csv', 'app.plugins.xml'));
    const misled = await selectBetween(repo, base, changeCsv(), {}, { cache: store });
    expect(misled.tests).toEqual([]);
  });

  it('a run writes the answers it used or made first, then earlier ones it did not use while they fit', async () => {
    const { repo, base, store, storeDir, answersFile, changeCsv } = setup();
    await selectBetween(repo, base, changeCsv(), {}, { cache: store });
    const saved = JSON.parse(readFileSync(answersFile, 'utf8'));
    // Answers about other blobs (another file's, another question's): still true of their blobs.
    const other = `${'a'.repeat(40)}\0python-compared-shape/1`;
    const huge = `${'b'.repeat(40)}\0python-compared-shape/1`;
    const answers = { [other]: { units: [], classes: [], residuePrint: 'x' }, [huge]: 'x'.repeat(2_100_000) };
    writeFileSync(answersFile, JSON.stringify({ ...saved, answers: { ...saved.answers, ...answers } }));
    // A caller changes and the graph is built again (none stored): its answers are made and kept, so the run writes
    // the document.
    repo.write({
      'app/uses_csv.py': 'from app.loader import load_package\nCSV = load_package("app.plugins.csv")  # v2\n',
    });
    rmSync(join(storeDir, 'test-filter', 'graph-python.json'));
    await selectBetween(repo, base, repo.commit('caller changed'), {}, { cache: store });
    const written = JSON.parse(readFileSync(answersFile, 'utf8')).answers;
    const keys = Object.keys(written);
    expect(written[other]).toEqual(answers[other]);
    expect(keys).not.toContain(huge);
    // Used or made first, carried after.
    expect(keys.indexOf(other)).toBe(keys.length - 1);
    expect(keys.length).toBeGreaterThan(Object.keys(saved.answers).length);
  });

  it('a damaged document or an answer of the wrong shape is ignored: the callers are parsed again', async () => {
    const { repo, base, store, answersFile, changeCsv } = setup();
    await selectBetween(repo, base, changeCsv(), {}, { cache: store });
    const saved = JSON.parse(readFileSync(answersFile, 'utf8'));
    const wrongShapes = [
      [{ line: 'two', kind: 'call', text: 'x' }],
      [{ line: 2, kind: 'call', text: 'x', argument: { text: 'y', literals: 'app.plugins.xml', prefixes: [] } }],
      { line: 2 },
      null,
    ];
    const documents = [
      '{not json',
      JSON.stringify({ ...saved, answers: [] }),
      JSON.stringify({ ...saved, schema: 99 }),
      JSON.stringify({ ...saved, language: 'ruby' }),
      ...wrongShapes.map((shape) =>
        JSON.stringify({
          ...saved,
          answers: Object.fromEntries(Object.keys(saved.answers).map((key) => [key, shape])),
        }),
      ),
    ];
    for (const document of documents) {
      writeFileSync(answersFile, document);
      const head = changeCsv();
      const warnings: string[] = [];
      const result = await selectBetween(repo, base, head, {}, { cache: store, warnings });
      const uncached = await selectBetween(repo, base, head);
      expect(result.tests).toEqual(['tests/test_csv.py']);
      expect(result.explanations).toEqual(uncached.explanations);
      if (document === '{not json')
        expect(warnings).toEqual([
          expect.stringMatching(/^The answers cache test-filter\/answers-python.json is not valid JSON/),
        ]);
      else if (document.includes('"answers":[]'))
        expect(warnings).toEqual([
          'The answers cache test-filter/answers-python.json is damaged (no answers object); parsing instead.',
        ]);
      else expect(warnings).toEqual([]);
    }
  });

  it('a store that cannot read or write them is a warning, and the selection stands', async () => {
    const { repo, base, changeCsv } = setup();
    const head = changeCsv();
    const warnings: string[] = [];
    const failing = {
      read: async () => Promise.reject(new Error('access denied')),
      write: async () => Promise.reject(new Error('disk full')),
    };
    const result = await selectBetween(repo, base, head, {}, { cache: failing, warnings });
    expect(result.tests).toEqual(['tests/test_csv.py']);
    expect(warnings).toContain(
      'Could not read the test-filter answers cache (test-filter/answers-python.json): access denied. Parsing instead.',
    );
    expect(warnings).toContain(
      'Could not save the test-filter answers cache (test-filter/answers-python.json): disk full. The next run parses again.',
    );
  });
});
