import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPythonParser, pythonStatementLines, shapePythonModule } from '@ci-optimizer/core/languages/python';

// The impact map's units (functions and methods at any depth, their lines) against CPython's `ast` on real files:
// modules of the system Python's standard library chosen for their syntax (async code, generators, decorators,
// properties, overloads, nested classes and closures, `match`, conditional and `try` definitions). And each function's
// own statements with their lines, as the impact map compares two versions of a changed function (coverage records
// lines: a statement's lines must be exactly the lines CPython gives it).
// UNITS_CONFORMANCE_ALL=1 walks the whole standard library instead (several minutes under load).
const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.CONFORMANCE_PYTHON ?? '/usr/bin/python3';
const MODULES = [
  'asyncio.tasks',
  'traceback',
  'datetime',
  'unittest.mock',
  '_collections_abc',
  'typing',
  'dataclasses',
  'functools',
  'enum',
  'contextlib',
  'inspect',
  'argparse',
  'pathlib',
  'tomllib._parser',
  'importlib.metadata',
  'email._header_value_parser',
  'ast',
];

interface OracleRecord {
  path: string;
  ok: boolean;
  units: Array<[string, number, number, number]>;
  classes: string[];
  /** Body start line -> [kind, first line, last line at least, last line at most]. */
  bodies: Record<string, Array<[string, number, number, number]>>;
}

/** The statements of each function body that differ from ast's, as messages (the first per body). */
function statementMismatches(path: string, source: string, oracle: OracleRecord['bodies']): string[] {
  const ours = pythonStatementLines(source);
  const problems: string[] = [];
  const theirLines = Object.keys(oracle).map(Number);
  if (theirLines.length !== ours.size) problems.push(`${path}: ${ours.size} function bodies, ast ${theirLines.length}`);
  for (const line of theirLines) {
    // `else:` and `finally:` hold nothing that can change; ast has no line for them.
    const mine = (ours.get(line) ?? []).filter(
      (entry) => entry.kind !== 'else_clause' && entry.kind !== 'finally_clause',
    );
    const theirs = oracle[line];
    for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
      const entry = mine[i];
      const [kind, first, lastMin, lastMax] = theirs[i] ?? [];
      const same =
        entry &&
        entry.kind.replace('except_group_clause', 'except_clause') === kind &&
        entry.first === first &&
        entry.last >= lastMin &&
        entry.last <= lastMax;
      if (!same) {
        problems.push(
          `${path}: body at line ${line}, statement ${i}: ast ${JSON.stringify(theirs[i])}, ours ${JSON.stringify(entry)}`,
        );
        break;
      }
    }
  }
  return problems;
}

beforeAll(async () => {
  await loadPythonParser();
});

describe('impact-map units against CPython ast', () => {
  it('finds every function and method with the qualified name and line span ast reports', {
    timeout: 1_500_000,
  }, async () => {
    const args = process.env.UNITS_CONFORMANCE_ALL ? ['--all'] : MODULES;
    const child = spawn(python, [join(here, 'units-oracle.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    let header: { version: number[]; root: string } | undefined;
    let files = 0;
    let units = 0;
    let statements = 0;
    const mismatches: string[] = [];
    const statementProblems: string[] = [];
    for await (const line of lines) {
      if (!header) {
        header = JSON.parse(line);
        continue;
      }
      const record = JSON.parse(line) as OracleRecord;
      if (!record.ok) continue;
      files += 1;
      units += record.units.length;
      const source = readFileSync(record.path, 'utf8');
      const shape = shapePythonModule(source);
      if (shape.syntaxError) {
        mismatches.push(`${record.path}: does not parse at line ${shape.syntaxError.line}`);
        continue;
      }
      const ours = shape.units.map((unit) => [unit.qualifiedName, unit.startLine, unit.bodyStartLine, unit.endLine]);
      const theirs = record.units;
      for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
        if (JSON.stringify(ours[i]) !== JSON.stringify(theirs[i])) {
          mismatches.push(
            `${record.path}: unit ${i}: ast ${JSON.stringify(theirs[i])}, ours ${JSON.stringify(ours[i])}`,
          );
          break;
        }
      }
      for (const body of Object.values(record.bodies)) statements += body.length;
      statementProblems.push(...statementMismatches(record.path, source, record.bodies));
      const ourClasses = shape.classes.map((cls) => cls.qualifiedName);
      if (JSON.stringify(ourClasses) !== JSON.stringify(record.classes)) {
        mismatches.push(
          `${record.path}: classes: ast ${JSON.stringify(record.classes).slice(0, 300)}, ours ${JSON.stringify(ourClasses).slice(0, 300)}`,
        );
      }
    }
    const code = await exited;
    expect(code, `the ast oracle failed: ${stderr.slice(0, 2000)}`).toBe(0);
    console.log(
      `units against CPython ${header?.version.join('.')} ast: ${files} files, ${units} functions and methods; mismatches: ${mismatches.length}; ` +
        `their own statements: ${statements}, mismatches: ${statementProblems.length}`,
    );
    // Every listed module was found and holds functions: the test must not pass vacuously.
    expect(files).toBeGreaterThanOrEqual(process.env.UNITS_CONFORMANCE_ALL ? 500 : MODULES.length);
    expect(units).toBeGreaterThan(files * 10);
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(statements).toBeGreaterThan(units * 3);
    expect(statementProblems.slice(0, 20)).toEqual([]);
  });
});
