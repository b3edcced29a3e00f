import type { SharedStateGroup } from '../languages/index.ts';
/**
 * The schema of the stored impact map; readers accept this and older versions, and refuse newer ones.
 * 2: nested functions are units (`f.<locals>.g`), repeated names carry a suffix (`f#2`, `p.setter`), `learned`.
 * A module's `lines` came later without a new schema: a reader that ignores them stays right (it counts a changed
 * unit whole), and one that uses them does without them on an older map.
 */
export const IMPACT_MAP_SCHEMA = 2;

/** Where the map lives in the store. */
export const IMPACT_MAP_KEY = 'test-filter/impact-map.json';

/** A measured module and its units; unit ids are global: the module's offset plus the unit's index. */
export interface ImpactMapModule {
  /** Repository-relative path. */
  path: string;
  /** Dotted module name (`service.payments.ledger`), for reasons. */
  name: string;
  /** Qualified names of its functions and methods, in source order. */
  units: string[];
  /** Test indexes (into `tests`) that executed module-level lines of this module inside a test (lazy imports). */
  moduleLevelTests: number[];
  /**
   * The lines of unit bodies that tests executed, as coverage recorded them, grouped by the set of tests that ran
   * them: `tests` and `lines` are encoded id sets (`encodeIds`). Lets a change count only for the tests that ran
   * the statements it changed. Absent in maps learned before they were kept.
   */
  lines?: { tests: string; lines: string }[];
  /** The lines of unit bodies run outside any test (imports, collection), encoded; written with `lines`. */
  importLines?: string;
}

export type { SharedStateGroup } from '../languages/index.ts';

/** What learning read from the coverage data and what it left out, by reason (for the summary). */
export interface LearnSummary {
  /** Measured source files of the commit the map covers. */
  files: number;
  /** Of those, files recorded under another path (another workspace, site-packages) matched by their tail. */
  remappedFiles: number;
  /** Files that do not parse: all their lines count as module level. */
  filesNotParsed: number;
  /** Modules imported before coverage started (no module-level line recorded): their units count as import time. */
  importedBeforeCoverage?: number;
  /** Test contexts attributed to a test file. */
  testContexts: number;
  /** Whether code ran outside any test (imports, collection): the empty context. */
  importContext: boolean;
  /** Line hits attributed (per context). */
  lineHits: number;
  /** Left out, by reason: count. */
  skipped: Record<string, number>;
}

/** The function-level impact map of one commit (stored as JSON, docs/architecture.md#stores). */
export interface ImpactMap {
  schema: number;
  commit: string;
  /** ISO time the map was built; staleness (`max-map-age`) counts from here. */
  createdAt: string;
  /** The project inside the repository where the tests ran ('' for the root). */
  projectDir: string;
  source: { format: string; tool: string; contexts: number };
  modules: ImpactMapModule[];
  /** Test files (repository-relative) with the units they executed, as encoded id sets (see `encodeIds`). */
  tests: { path: string; units: string }[];
  /** Units executed at import or collection time (no test context): their changes count as module-level. */
  importTime: number[];
  /** Units run while setting up tests that share a session- or package-scoped fixture: module-level too. */
  sharedFixtureSetup: number[];
  sharedState: SharedStateGroup[];
  /** What learning read and skipped (schema 2; absent in older maps). */
  learned?: LearnSummary;
}

/**
 * Encodes a sorted set of non-negative integers compactly: as base64 of delta varints (sparse sets), or of a
 * bitset (dense ones), whichever is shorter; the first character says which.
 */
export function encodeIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'd';
  const varint: number[] = [];
  let previous = -1;
  for (const id of ids) {
    let delta = id - previous - 1;
    previous = id;
    while (delta >= 0x80) {
      varint.push((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    varint.push(delta);
  }
  const bitsetLength = (ids[ids.length - 1] >> 3) + 1;
  if (bitsetLength < varint.length) {
    const bits = new Uint8Array(bitsetLength);
    for (const id of ids) bits[id >> 3] |= 1 << (id & 7);
    return `b${Buffer.from(bits).toString('base64')}`;
  }
  return `d${Buffer.from(varint).toString('base64')}`;
}

/** Decodes `encodeIds` output into a sorted array. */
export function decodeIds(text: string): number[] {
  const bytes = Buffer.from(text.slice(1), 'base64');
  const ids: number[] = [];
  if (text[0] === 'b') {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte) for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) ids.push(i * 8 + bit);
    }
    return ids;
  }
  if (text[0] !== 'd') throw new Error(`unknown id set encoding '${text[0]}'`);
  let previous = -1;
  for (let i = 0; i < bytes.length; ) {
    let delta = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[i++];
      delta += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    previous += delta + 1;
    ids.push(previous);
  }
  return ids;
}

/** A stored map with lookups built once: unit ids by name, executors per unit. */
export class ImpactMapIndex {
  readonly map: ImpactMap;
  readonly moduleByPath = new Map<string, { index: number; offset: number }>();
  readonly testByPath = new Map<string, number>();
  /** Unit id -> its module index. */
  private readonly unitModule: number[] = [];
  private executors: number[][] | undefined;
  private readonly lineTests = new Map<string, Map<number, number[]> | undefined>();
  private readonly importLines = new Map<string, Set<number>>();
  private readonly testUnits: (number[] | undefined)[];

  constructor(map: ImpactMap) {
    this.map = map;
    let offset = 0;
    map.modules.forEach((module, index) => {
      this.moduleByPath.set(module.path, { index, offset });
      for (let i = 0; i < module.units.length; i++) this.unitModule.push(index);
      offset += module.units.length;
    });
    map.tests.forEach((test, index) => this.testByPath.set(test.path, index));
    this.testUnits = new Array(map.tests.length);
  }

  get unitCount(): number {
    return this.unitModule.length;
  }

  /** The global id of `qualifiedName` in the module at `path`, or undefined when the map does not know it. */
  unitId(path: string, qualifiedName: string): number | undefined {
    const module = this.moduleByPath.get(path);
    if (!module) return undefined;
    const local = this.map.modules[module.index].units.indexOf(qualifiedName);
    return local === -1 ? undefined : module.offset + local;
  }

  /** `service.payments.ledger.Ledger.post` for reasons. */
  unitLabel(id: number): string {
    const moduleIndex = this.unitModule[id];
    const module = this.map.modules[moduleIndex];
    const offset = this.moduleByPath.get(module.path)!.offset;
    return `${module.name}.${module.units[id - offset]}`;
  }

  /** Every unit id of the module at `path`. */
  moduleUnits(path: string): number[] {
    const module = this.moduleByPath.get(path);
    if (!module) return [];
    return Array.from({ length: this.map.modules[module.index].units.length }, (_, i) => module.offset + i);
  }

  /**
   * Whether any line in the ranges of the module at `path` ran outside a test (at import or collection time); true
   * when the map does not say.
   */
  ranAtImport(path: string, ranges: ReadonlyArray<readonly [number, number]>): boolean {
    const module = this.moduleByPath.get(path);
    const encoded = module && this.map.modules[module.index].importLines;
    if (typeof encoded !== 'string') return true;
    let lines = this.importLines.get(path);
    if (!lines) {
      try {
        lines = new Set(decodeIds(encoded));
      } catch {
        return true;
      }
      this.importLines.set(path, lines);
    }
    return ranges.some(([first, last]) => {
      for (let line = first; line <= last; line++) if (lines.has(line)) return true;
      return false;
    });
  }

  /** Whether the map holds per-line evidence for the module at `path`. */
  hasLines(path: string): boolean {
    const module = this.moduleByPath.get(path);
    return module !== undefined && Array.isArray(this.map.modules[module.index].lines);
  }

  /**
   * The tests that executed any line in `[first, last]` of the module at `path` (sorted test indexes); undefined when
   * the map has no per-line evidence for it.
   */
  testsOfLines(path: string, first: number, last: number): number[] | undefined {
    if (!this.lineTests.has(path)) {
      const module = this.moduleByPath.get(path);
      const groups = module && this.map.modules[module.index].lines;
      let byLine: Map<number, number[]> | undefined;
      try {
        if (Array.isArray(groups)) {
          byLine = new Map();
          for (const group of groups) {
            const tests = decodeIds(group.tests).filter((test) => test < this.map.tests.length);
            for (const line of decodeIds(group.lines)) byLine.set(line, tests);
          }
        }
      } catch {
        // A damaged table is no evidence: the change counts for the whole unit.
        byLine = undefined;
      }
      this.lineTests.set(path, byLine);
    }
    const byLine = this.lineTests.get(path);
    if (!byLine) return undefined;
    const tests = new Set<number>();
    for (let line = first; line <= last; line++) for (const test of byLine.get(line) ?? []) tests.add(test);
    return [...tests].sort((a, b) => a - b);
  }

  unitsOfTest(test: number): number[] {
    return (this.testUnits[test] ??= decodeIds(this.map.tests[test].units));
  }

  /** Test indexes that executed a unit (built on first use, once for every unit). */
  executorsOf(unit: number): number[] {
    if (!this.executors) {
      const executors: number[][] = Array.from({ length: this.unitCount }, () => []);
      for (let test = 0; test < this.map.tests.length; test++)
        for (const id of this.unitsOfTest(test)) executors[id]?.push(test);
      this.executors = executors;
    }
    return this.executors[unit] ?? [];
  }
}
