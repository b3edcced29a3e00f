import type { ChangeReaders as BindingReaders, ReaderSearch as BindingSearch } from '../types.ts';
import { readersOfNames, type ChangedBindings } from './changed-bindings.ts';

export type { ReaderSearch as BindingSearch, ChangeReaders as BindingReaders } from '../types.ts';

const MAX_ROUNDS = 6;
const NAMESPACE_READERS = ['vars', 'dir', 'globals', 'locals', '__dict__', 'getmembers'];
const MAX_NAMES = 70;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordPattern = (names: Iterable<string>) => new RegExp(`\\b(?:${[...names].map(escapeRegExp).join('|')})\\b`);

/** The modules a file star-imports (`from m import *`, `from .m import *`), as written. */
function starImportsOf(text: string): string[] {
  return [...text.matchAll(/^\s*from\s+([\w.]+)\s+import\s*\*/gm)].map((match) => match[1]);
}

/** Whether a star import's module, as written, may be the module at `path` (its last name matches; `.` may be a package). */
function mayName(module: string, path: string): boolean {
  const parts = path.replace(/\.py$/, '').split('/');
  const stem = parts[parts.length - 1] === '__init__' ? parts[parts.length - 2] : parts[parts.length - 1];
  const last = module.replace(/^\.+/, '').split('.').pop();
  return last === '' || last === undefined || last === stem;
}

/**
 * Follows the names a module-level change bound to new values (`ChangedBindings`) to the code that reads them, in
 * every Python file of the head: function bodies are readers (their executors see the change), module- and
 * class-level assignments from them derive new names (followed in turn), test files that mention a name are kept.
 * Returns why not when a mention cannot be followed (a module outside the map, a decorator or a statement at module
 * level reading the name): then the static closure decides, as before. A module that star-imports the changed one
 * while its `__all__` changed or a name was removed keeps every test that may import it.
 */
export async function findBindingReaders(
  changedPath: string,
  bindings: ChangedBindings,
  search: BindingSearch,
): Promise<BindingReaders | string> {
  const units = new Map<string, Set<string>>([[changedPath, new Set(bindings.functions)]]);
  const tests = new Map<string, string>();
  /** A module the map did not measure reads a name: every test that may import it (its static closure) is kept. */
  const importersStay = async (path: string, read: readonly string[], how: string): Promise<string | undefined> => {
    const importers = await search.importersOf(path);
    if (typeof importers === 'string') return `${path} ${how} and ${importers}`;
    for (const test of importers) if (!tests.has(test)) tests.set(test, `${read[0]} (through ${path})`);
    return undefined;
  };
  const outsideTheMap = (path: string, read: Iterable<string>) => {
    const names = [...read];
    return importersStay(path, names, `reads ${names.join(', ')}, the map did not measure it`);
  };
  if (bindings.names.length === 0 && bindings.removed.length === 0) return { units, tests, names: [] };
  // Code that lists a namespace (`vars(module)`, `module.__dict__`, `dir()`, `inspect.getmembers`) reads every name.
  const names = new Set([...bindings.names, ...NAMESPACE_READERS]);
  const texts = await search.read();
  // A star import copies the module's public names (or those `__all__` lists): it is a reader of them all.
  if (names.has('__all__') || bindings.removed.length) {
    const exported = names.has('__all__') ? ['__all__'] : bindings.removed;
    for (const [path, text] of texts) {
      if (path === changedPath || !starImportsOf(text).some((module) => mayName(module, changedPath))) continue;
      // The star importer's own names change: every test that may import it stays (none for a script no test reaches).
      const problem = await importersStay(path, exported, `star-imports ${changedPath}`);
      if (problem) return problem;
    }
  }
  const mayImportChanged = (module: string) => mayName(module, changedPath);
  // Removed names: a function body that reads one fails when it runs; any other mention fails at import.
  for (const path of search.files) {
    const text = texts.get(path);
    if (!bindings.removed.length || text === undefined || !wordPattern(bindings.removed).test(text)) continue;
    if (search.isTest(path)) tests.set(path, wordPattern(bindings.removed).exec(text)![0]);
    // A test's own code the map did not measure: the test is kept above, its readers do not matter.
    if (!search.isSource(path) || (search.isTest(path) && !search.measured(path))) continue;
    const readers = readersOfNames(text, new Set(bindings.removed), { mayImportChanged });
    if (!readers.units.length && !readers.problem) continue;
    if (!search.measured(path)) {
      const problem = await outsideTheMap(path, bindings.removed);
      if (problem) return problem;
      continue;
    }
    if (readers.problem) return `${path} ${readers.problem}`;
    units.set(path, new Set([...(units.get(path) ?? []), ...readers.units]));
  }
  let pending = [...names];
  for (let round = 0; pending.length; round++) {
    if (round >= MAX_ROUNDS || names.size > MAX_NAMES)
      return `more than ${MAX_NAMES} names or ${MAX_ROUNDS} steps derive from the change`;
    const current = new Set(pending);
    pending = [];
    const pattern = wordPattern(current);
    for (const path of search.files) {
      const text = texts.get(path);
      if (text === undefined || !pattern.test(text)) continue;
      if (search.isTest(path) && !tests.has(path)) tests.set(path, pattern.exec(text)![0]);
      // A test's own code the map did not measure: the test is kept above, its readers do not matter.
      if (!search.isSource(path) || (search.isTest(path) && !search.measured(path))) continue;
      const readers = readersOfNames(text, current);
      const hasMentions = readers.units.length || readers.derived.length || readers.defaults.length || readers.problem;
      if (!hasMentions) continue;
      if (!search.measured(path)) {
        const problem = await outsideTheMap(path, current);
        if (problem) return problem;
        continue;
      }
      if (readers.problem) return `${path} ${readers.problem}`;
      const found = units.get(path) ?? new Set<string>();
      for (const unit of [...readers.units, ...readers.defaults]) found.add(unit);
      units.set(path, found);
      for (const name of readers.derived) {
        if (names.has(name)) continue;
        names.add(name);
        pending.push(name);
      }
    }
  }
  return { units, tests, names: [...names].filter((name) => !NAMESPACE_READERS.includes(name)).sort() };
}
