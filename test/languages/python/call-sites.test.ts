import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Parser } from 'web-tree-sitter';
import { analyzePythonSources, loadPythonParser, pythonCallSites } from '@ci-optimizer/core/languages/python';
import { timeoutFor } from '../../support/timeouts.ts';

// The callers' search asks for the call sites of one name in every file that mentions it, then of the next name in
// the same files: the trees of searched files are kept (by size) between the names. Whatever was kept or dropped, a
// file's sites are its own, and the same as when it is searched first.
beforeAll(
  async () => {
    await loadPythonParser();
  },
  timeoutFor(1, 20_000),
);

/** A module of about 60 kB that calls `load` with its own module name and hands `path` on. */
function moduleNumber(index: number): string {
  const filler = Array.from(
    { length: 1500 },
    (_, line) => `def helper_${index}_${line}(value):\n    return value + ${line}\n`,
  ).join('');
  return [
    'import os',
    'from importlib import import_module',
    '',
    'def load(name):',
    '    return import_module(name)',
    '',
    `plugin = load("pkg.module_${index}")`,
    'where = os.path.join("a", "b")',
    filler,
    `late = load(prefix_${index} + "x")`,
    '',
  ].join('\n');
}

describe('call sites of names searched one after the other', () => {
  it("give every file its own sites, the same as when it is searched first, past the kept trees' bound", {
    timeout: timeoutFor(1, 60_000),
  }, () => {
    // 50 files of ~60 kB: 3 M characters, more than the trees kept for the search (2 M).
    const sources = Array.from({ length: 50 }, (_, index) => moduleNumber(index));
    expect(sources.reduce((sum, source) => sum + source.length, 0)).toBeGreaterThan(2_500_000);
    const first = sources.map((source) => pythonCallSites(source, 'load', 0, 'name'));
    first.forEach((sites, index) => {
      const calls = sites.filter((site) => site.kind === 'call');
      expect(calls.map((site) => site.argument?.literals)).toEqual([[`pkg.module_${index}`], []]);
      expect(calls[1].text).toBe(`load(prefix_${index} + "x")`);
    });
    // Another name in the same files, then the first again in the other order (some trees kept, some parsed again).
    for (const source of sources) expect(pythonCallSites(source, 'path', 0, 'package')).toHaveLength(1);
    const again = sources.map((_, index) => index).reverse();
    for (const index of again) expect(pythonCallSites(sources[index], 'load', 0, 'name')).toStrictEqual(first[index]);
  });
});

describe("a build's trees and the callers' search", () => {
  it('the files a build analysed on the main thread are not parsed again by the search', {
    timeout: timeoutFor(1, 60_000),
  }, async () => {
    // More files than the few recent trees every parse keeps (4).
    const sources = Array.from({ length: 12 }, (_, index) => moduleNumber(index));
    const facts = await analyzePythonSources(sources, { workers: 0 });
    expect(facts.map((fileFacts) => fileFacts.dynamicImports[0]?.parameter)).toEqual(
      sources.map(() => ({ name: 'name', position: 0 })),
    );
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      const sites = sources.map((source) => pythonCallSites(source, 'load', 0, 'name'));
      expect(parse).not.toHaveBeenCalled();
      sites.forEach((found, index) =>
        expect(found.filter((site) => site.kind === 'call').map((site) => site.argument?.literals)).toEqual([
          [`pkg.module_${index}`],
          [],
        ]),
      );
    } finally {
      parse.mockRestore();
    }
  });
});
