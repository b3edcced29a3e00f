import { posix } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { UserError } from '../errors/index.ts';
import { junitDuration, type JunitCase, type TestOutcome } from './junit-case.ts';
import { scanJunitXml } from './junit-scan.ts';

export type { JunitCase, TestOutcome } from './junit-case.ts';

/** Elements that may repeat; fast-xml-parser gives a single child as an object unless told it is a list. */
const LIST_ELEMENTS = new Set([
  'testsuites',
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'rerunFailure',
  'rerunError',
  'flakyFailure',
  'flakyError',
]);

// Made on first use, so fast-xml-parser is loaded when a JUnit file is read, not when a step starts.
let parser: XMLParser | undefined;
const xmlParser = (): XMLParser =>
  (parser ??= new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    attributesGroupName: '$',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    // The parser's own limits (entity count, size and expansion; nesting depth) guard against entity bombs and deep
    // nesting; a file over them throws, and the caller skips that file with a warning.
    processEntities: { enabled: true, maxEntityCount: 100, maxEntitySize: 10_000, maxExpandedLength: 1_000_000 },
    maxNestedTags: 100,
    ignoreDeclaration: true,
    isArray: (name) => LIST_ELEMENTS.has(name),
  }));

type XmlNode = Record<string, unknown> & { $?: Record<string, string> };

/**
 * Parses a JUnit XML report: pytest `--junitxml` (xunit1 and xunit2), vitest's and jest-junit's reporters, and any
 * other writer of the common `<testsuites>/<testsuite>/<testcase>` shape (nested suites included). The plain XML
 * these write is read by a fast scanner (junit-scan.ts); anything else by the general XML parser, which also words
 * the errors.
 */
export function parseJunitXml(text: string, source: string): JunitCase[] {
  return scanJunitXml(text) ?? parseJunitXmlTree(text, source);
}

/** parseJunitXml through the general XML parser's tree (exported for the test that compares it with the scanner). */
export function parseJunitXmlTree(text: string, source: string): JunitCase[] {
  let doc: Record<string, unknown>;
  try {
    doc = xmlParser().parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(
      `JUnit file ${source} is not well-formed XML or is over the XML parser's limits (${firstLine((error as Error).message)}); ` +
        'pass the file the test runner wrote (pytest --junitxml=FILE, vitest --reporter=junit, jest-junit).',
    );
  }
  const roots = [
    ...asList(doc.testsuites).flatMap((node) => asList((node as XmlNode).testsuite)),
    ...asList(doc.testsuite),
  ];
  if (roots.length === 0 && !('testsuites' in doc)) {
    throw new UserError(
      `JUnit file ${source} has no <testsuites> or <testsuite> element; it does not look like a JUnit report. ` +
        'Check the path given to the junit input.',
    );
  }
  const cases: JunitCase[] = [];
  for (const suite of roots) collectSuite(suite as XmlNode, undefined, cases);
  return cases;
}

function collectSuite(suite: XmlNode, parentFile: string | undefined, into: JunitCase[]): void {
  const attrs = suite.$ ?? {};
  const suiteFile = attrs.file || attrs.filepath || parentFile;
  for (const node of asList(suite.testcase)) {
    const testcase = node as XmlNode;
    const a = testcase.$ ?? {};
    into.push({
      classname: a.classname ?? '',
      name: a.name ?? '',
      ...(a.file || suiteFile ? { fileAttribute: a.file || suiteFile } : {}),
      ...(attrs.name ? { suiteName: attrs.name } : {}),
      outcome: outcomeOf(testcase),
      duration: junitDuration(a.time),
      rerunFailures: ['rerunFailure', 'rerunError', 'flakyFailure', 'flakyError'].reduce(
        (n, key) => n + asList(testcase[key]).length,
        0,
      ),
    });
  }
  for (const child of asList(suite.testsuite)) collectSuite(child as XmlNode, suiteFile, into);
}

function outcomeOf(testcase: XmlNode): TestOutcome {
  if (asList(testcase.error).length > 0) return 'error';
  if (asList(testcase.failure).length > 0) return 'failed';
  if (asList(testcase.skipped).length > 0) return 'skipped';
  return 'passed';
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** What the file resolver knows about the repository. */
export interface FileResolution {
  /** Test files that exist (repository-relative POSIX paths), to match reporter names against. */
  knownFiles: ReadonlySet<string>;
  /** The project folder the runner ran in (pytest's rootdir), repository-relative; '' for the root. */
  projectDir: string;
  /** The repository root as an absolute path, to strip from absolute `file` attributes (jest-junit). */
  repoRoot: string;
}

const SOURCE_EXTENSIONS = /\.(py|[cm]?[jt]sx?|vue|svelte)$/;

/**
 * The repository-relative test file a case belongs to, or undefined when the report does not say. Tried in order:
 * the `file` attribute, a classname or suite name that is a path (vitest, jest-junit `{filepath}`), and pytest's
 * dotted classname (`tests.api.test_x.TestClass` -> `tests/api/test_x.py`).
 */
export function resolveCaseFile(testCase: JunitCase, where: FileResolution): string | undefined {
  const inProject = (path: string) => normalize(where.projectDir === '' ? path : `${where.projectDir}/${path}`);
  const candidates: string[] = [];
  const fromPath = (path: string | undefined) => {
    if (!path) return;
    const posixPath = path.replace(/\\/g, '/');
    const root = where.repoRoot.replace(/\\/g, '/').replace(/\/+$/, '');
    if (posixPath.startsWith(`${root}/`)) candidates.push(normalize(posixPath.slice(root.length + 1)));
    else if (!posixPath.startsWith('/')) candidates.push(inProject(posixPath), normalize(posixPath));
  };
  fromPath(testCase.fileAttribute);
  for (const name of [testCase.classname, testCase.suiteName]) {
    // A title such as `routes GET /orders` has a slash but is no path: paths have no spaces, or end in an extension.
    if (name && (SOURCE_EXTENSIONS.test(name) || (!/\s/.test(name) && name.includes('/')))) fromPath(name);
  }
  for (const candidate of candidates) if (where.knownFiles.has(candidate)) return candidate;
  const collected = collectionCaseFile(testCase, (path) => where.knownFiles.has(inProject(path)));
  if (collected) return inProject(collected);
  const dotted = pytestModuleFile(testCase.classname, (path) => where.knownFiles.has(inProject(path)));
  if (dotted) return inProject(dotted);
  // Not among the known files (deleted since, or discovery differs): trust an explicit path, then pytest's shape.
  if (candidates.length > 0) return candidates[0];
  const guess = pytestModuleFile(testCase.classname, undefined);
  return guess ? inProject(guess) : undefined;
}

const DOTTED_MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/**
 * pytest reports a module that was skipped or broke while being collected (a module-level `pytest.importorskip`,
 * `pytest.skip(..., allow_module_level=True)`, an import error) as one case with an empty classname whose name is
 * the module's dotted path: `<testcase classname="" name="tests.test_async"><skipped message="collection skipped">`.
 * The file is that module (known to discovery, else the path the name spells).
 */
function collectionCaseFile(testCase: JunitCase, exists: (path: string) => boolean): string | undefined {
  if (testCase.classname !== '' || !DOTTED_MODULE.test(testCase.name)) return undefined;
  const path = `${testCase.name.split('.').join('/')}.py`;
  return exists(path) || testCase.outcome === 'skipped' || testCase.outcome === 'error' ? path : undefined;
}

/**
 * pytest's classname is the node id with `/` and `::` turned into dots and `.py` dropped. The module is the
 * longest prefix that names a known file; without a file list, the prefix before the first Capitalised part.
 */
function pytestModuleFile(classname: string, exists: ((path: string) => boolean) | undefined): string | undefined {
  if (!classname || classname.includes('/') || classname.includes(' ')) return undefined;
  const parts = classname.split('.');
  if (exists) {
    for (let end = parts.length; end > 0; end--) {
      const path = `${parts.slice(0, end).join('/')}.py`;
      if (exists(path)) return path;
    }
    return undefined;
  }
  let end = parts.length;
  while (end > 1 && /^[A-Z]/.test(parts[end - 1])) end--;
  return `${parts.slice(0, end).join('/')}.py`;
}

/** A stable id for a case: pytest's node id shape (`file::Class::name`) for every runner. */
export function caseId(file: string | undefined, testCase: JunitCase): string {
  // A module skipped or broken at collection is the module itself (see collectionCaseFile).
  if (
    file &&
    testCase.classname === '' &&
    DOTTED_MODULE.test(testCase.name) &&
    `/${file}`.endsWith(`/${testCase.name.split('.').join('/')}.py`)
  )
    return file;
  const classParts =
    file && testCase.classname && !testCase.classname.includes('/') ? classSuffix(file, testCase.classname) : [];
  return [file ?? testCase.classname, ...classParts, testCase.name].filter((part) => part !== '').join('::');
}

/** The class path left in a pytest classname after its module (`tests.test_a.TestK` -> `TestK`). */
function classSuffix(file: string, classname: string): string[] {
  const moduleParts = posix.basename(file).replace(/\.py$/, '');
  const parts = classname.split('.');
  const at = parts.lastIndexOf(moduleParts);
  return at >= 0 ? parts.slice(at + 1) : [];
}

function normalize(path: string): string {
  return posix.normalize(path).replace(/^\.\//, '');
}
