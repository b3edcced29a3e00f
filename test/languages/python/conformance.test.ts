import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzePythonSource,
  loadPythonParser,
  type PythonImport,
  scanPythonSource,
} from '@ci-optimizer/core/languages/python';

// Conformance with CPython, file by file, on every .py file of the system Python's standard library and site
// packages (found by the oracle through sysconfig/site). SLOW BUT NECESSARY: it is the proof that the front end
// accepts what CPython accepts and reads the same imports (about a minute on two idle cores, several under load). One
// Python process dumps what `ast` says about every file while this process parses the same files as they arrive.
const here = dirname(fileURLToPath(import.meta.url));
// The system Python (Debian's, as the other Python-backed tests use), unless CONFORMANCE_PYTHON names another.
const python = process.env.CONFORMANCE_PYTHON ?? '/usr/bin/python3';

interface OracleRecord {
  path: string;
  ok: boolean;
  imports: Array<[string, string[] | null, number, number]>;
}

/** The statement imports as the oracle lists them: [module, names, level, line], by line then module. */
const asOracle = (imports: readonly PythonImport[]) =>
  imports
    .filter((imp) => imp.kind === 'import' || imp.kind === 'from')
    .map((imp) => [imp.module, imp.names ?? null, imp.level, imp.line] as const)
    .sort((a, b) => a[3] - b[3] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

beforeAll(async () => {
  await loadPythonParser();
});

describe('the Python front end against CPython ast on the whole library', () => {
  it('reports no syntax error where CPython reports none, and the same imports on every file (parsed and scanned)', {
    timeout: 1_500_000,
  }, async () => {
    const child = spawn(python, [join(here, 'ast-oracle.py')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    let header: { roots: string[]; version: number[] } | undefined;
    let files = 0;
    let bytes = 0;
    let cpythonRejects = 0;
    const falseErrors: string[] = [];
    const importMismatches: string[] = [];
    // The cold build's import scanner answers for most files: its imports must be ast's too, file by file.
    const scanMismatches: string[] = [];
    let scanned = 0;
    let scanning = 0;
    const started = performance.now();
    let parsing = 0;
    for await (const line of lines) {
      if (!header) {
        header = JSON.parse(line);
        continue;
      }
      const record = JSON.parse(line) as OracleRecord;
      const source = readFileSync(record.path, 'utf8');
      files += 1;
      bytes += source.length;
      const t0 = performance.now();
      const facts = analyzePythonSource(source);
      parsing += performance.now() - t0;
      const t1 = performance.now();
      const scan = scanPythonSource(source);
      scanning += performance.now() - t1;
      if (!record.ok) {
        cpythonRejects += 1;
        continue;
      }
      if (facts.syntaxError) falseErrors.push(`${record.path}:${facts.syntaxError.line}:${facts.syntaxError.column}`);
      const ours = asOracle(facts.imports);
      if (scan) {
        scanned += 1;
        const theirs = asOracle(scan.imports);
        if (JSON.stringify(theirs) !== JSON.stringify(record.imports))
          scanMismatches.push(
            `${record.path}: ast ${JSON.stringify(record.imports).slice(0, 300)} scan ${JSON.stringify(theirs).slice(0, 300)}`,
          );
      }
      if (JSON.stringify(ours) !== JSON.stringify(record.imports)) {
        importMismatches.push(
          `${record.path}: ast ${JSON.stringify(record.imports).slice(0, 300)} ours ${JSON.stringify(ours).slice(0, 300)}`,
        );
      }
    }
    const code = await exited;
    expect(code, `the ast oracle failed: ${stderr.slice(0, 2000)}`).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `conformance with CPython ${header?.version.join('.')} ast: ${files} files (${(bytes / 1e6).toFixed(1)} MB) under ${header?.roots.join(', ')}; ` +
        `CPython rejects ${cpythonRejects}; syntax errors where CPython has none: ${falseErrors.length}; import mismatches: ${importMismatches.length}; ` +
        `${seconds.toFixed(1)} s in all, ${(parsing / 1000).toFixed(1)} s parsing (${(bytes / 1e6 / (parsing / 1000)).toFixed(1)} MB/s); ` +
        `the import scanner read ${scanned} of the files CPython accepts (${(scanning / 1000).toFixed(1)} s for all files), import mismatches: ${scanMismatches.length}`,
    );
    // A library this small would mean the oracle did not find the standard library: the test must not pass vacuously.
    expect(files).toBeGreaterThan(500);
    expect(falseErrors.slice(0, 20)).toEqual([]);
    expect(importMismatches.slice(0, 20)).toEqual([]);
    // The scanner must answer for most of the library, or this comparison proves little.
    expect(scanned).toBeGreaterThan((files - cpythonRejects) / 2);
    expect(scanMismatches.slice(0, 20)).toEqual([]);
  });
});
