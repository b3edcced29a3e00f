import { junitDuration, type JunitCase, type TestOutcome } from './junit-case.ts';

/**
 * A one-pass reader of the JUnit XML that test runners write (pytest, vitest, jest-junit, surefire), about twenty
 * times faster than the general XML parser on a 1,000-case report. It reads only the plain, common subset of XML and
 * gives up (returns undefined) on anything else, so that the general parser (junit.ts) reads that file and says what
 * is wrong with it. What it reads, it reads exactly as junit.ts reads the general parser's tree (same cases, same
 * order, same attribute values); test/test-history/junit-scan.test.ts compares the two on thousands of generated
 * reports.
 *
 * It gives up on: a DOCTYPE (entity definitions are the general parser's, with its limits), processing instructions
 * other than a leading `<?xml ...?>`, a byte order mark, names outside ASCII or that are names of Object.prototype,
 * an attribute value with `<` or a carriage return, an `&` that is neither one of the five predefined entities nor a
 * character reference to a character XML allows (plainReferences), text or a second element outside the root element, a root that is neither
 * `<testsuites>` nor `<testsuite>`, nesting deeper than MAX_DEPTH, and every error of form (unclosed or mismatched
 * tags, repeated, unquoted or valueless attributes, truncated input).
 */
export function scanJunitXml(text: string): JunitCase[] | undefined {
  try {
    return new JunitScanner(text).read();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

/** Deeper documents go to the general parser, whose nesting limit (maxNestedTags) decides. */
const MAX_DEPTH = 64;
const GIVE_UP = Symbol('give up');
const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const SPACE = /[ \t\r\n]+/y;
const XML_DECLARATION =
  /<\?xml(?:[ \t\r\n]+[A-Za-z_][\w.:-]*[ \t\r\n]*=[ \t\r\n]*(?:"[^"<&]*"|'[^'<&]*'))*[ \t\r\n]*\?>/y;
const ENTITY = /&(lt|gt|amp|quot|apos);/g;
const ENTITY_TEXT: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** A predefined entity or a character reference, at an `&`. */
const REFERENCE = /&(?:lt|gt|amp|quot|apos|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/y;
const RERUN_ELEMENTS = new Set(['rerunFailure', 'rerunError', 'flakyFailure', 'flakyError']);

/** A `<testsuite>` whose cases are collected, as junit.ts's collectSuite walks it. */
interface Suite {
  attributes: Map<string, string>;
  cases: OpenCase[];
  suites: Suite[];
}

interface OpenCase {
  attributes: Map<string, string>;
  error: boolean;
  failure: boolean;
  skipped: boolean;
  rerunFailures: number;
}

/** What an open element is to the reader. */
type Frame =
  | { name: string; kind: 'suites'; suites: Suite[] }
  | { name: string; kind: 'suite'; suite: Suite }
  | { name: string; kind: 'case'; testCase: OpenCase }
  | { name: string; kind: 'other' };

class JunitScanner {
  private at = 0;
  private readonly stack: Frame[] = [];
  /** The suites of a root `<testsuites>`, or the root `<testsuite>`. */
  private readonly suites: Suite[] = [];
  private root: string | undefined;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  read(): JunitCase[] {
    const { text } = this;
    if (text.startsWith('<?xml')) this.expect(XML_DECLARATION);
    while (this.at < text.length) {
      const open = text.indexOf('<', this.at);
      const end = open < 0 ? text.length : open;
      this.checkText(this.at, end);
      if (open < 0) break;
      this.at = open;
      this.markup();
    }
    if (this.stack.length > 0 || (this.root !== 'testsuites' && this.root !== 'testsuite')) throw GIVE_UP;
    const cases: JunitCase[] = [];
    for (const suite of this.suites) collect(suite, undefined, cases);
    return cases;
  }

  /** Text between markup: only whitespace outside the root elements, and no `&` but the five entities. */
  private checkText(from: number, to: number): void {
    if (from === to) return;
    const chunk = this.text.slice(from, to);
    if (this.stack.length === 0 ? chunk.trim() !== '' || chunk.includes('\uFEFF') : !plainReferences(chunk))
      throw GIVE_UP;
  }

  private markup(): void {
    const { text } = this;
    const next = text.charCodeAt(this.at + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', this.at)) this.skipPast('-->');
      else if (text.startsWith('<![CDATA[', this.at) && this.stack.length > 0) this.skipPast(']]>');
      else throw GIVE_UP; // DOCTYPE and the rest
    } else if (next === 0x2f /* / */) this.closeTag();
    else this.openTag();
  }

  private skipPast(end: string): void {
    const found = this.text.indexOf(end, this.at);
    if (found < 0) throw GIVE_UP;
    this.at = found + end.length;
  }

  private closeTag(): void {
    this.at += 2;
    const name = this.expect(NAME);
    this.skip(SPACE);
    if (this.text.charCodeAt(this.at) !== 0x3e /* > */) throw GIVE_UP;
    this.at++;
    const frame = this.stack.pop();
    if (!frame || frame.name !== name) throw GIVE_UP;
  }

  private openTag(): void {
    this.at++;
    const name = this.checkedName(this.expect(NAME));
    const attributes = new Map<string, string>();
    for (;;) {
      const spaced = this.skip(SPACE);
      const c = this.text.charCodeAt(this.at);
      if (c === 0x3e /* > */ || c === 0x2f /* / */) break;
      if (!spaced) throw GIVE_UP;
      const attribute = this.checkedName(this.expect(NAME));
      this.skip(SPACE);
      if (this.text.charCodeAt(this.at) !== 0x3d /* = */) throw GIVE_UP;
      this.at++;
      this.skip(SPACE);
      if (attributes.has(attribute)) throw GIVE_UP;
      attributes.set(attribute, this.attributeValue());
    }
    const selfClosing = this.text.charCodeAt(this.at) === 0x2f;
    if (selfClosing && this.text.charCodeAt(this.at + 1) !== 0x3e) throw GIVE_UP;
    this.at += selfClosing ? 2 : 1;
    const frame = this.enter(name, attributes);
    if (selfClosing) return;
    if (this.stack.length >= MAX_DEPTH) throw GIVE_UP;
    this.stack.push(frame);
  }

  /** A quoted value, trimmed and with the five entities decoded (as the general parser gives it). */
  private attributeValue(): string {
    const quote = this.text[this.at];
    if (quote !== '"' && quote !== "'") throw GIVE_UP;
    const end = this.text.indexOf(quote, this.at + 1);
    if (end < 0) throw GIVE_UP;
    const raw = this.text.slice(this.at + 1, end);
    this.at = end + 1;
    if (raw.includes('<') || raw.includes('\r')) throw GIVE_UP;
    if (!raw.includes('&')) return raw.trim();
    if (!plainReferences(raw)) throw GIVE_UP;
    // The general parser decodes the five entities and keeps character references as written.
    return raw.trim().replace(ENTITY, (_, entity: string) => ENTITY_TEXT[entity]);
  }

  /** The frame of an element just opened, after it is counted where junit.ts's tree walk would count it. */
  private enter(name: string, attributes: Map<string, string>): Frame {
    const parent = this.stack.at(-1);
    if (!parent) {
      if (this.root !== undefined) throw GIVE_UP; // a second root element
      this.root = name;
      if (name === 'testsuites') return { name, kind: 'suites', suites: this.suites };
      if (name === 'testsuite') return { name, kind: 'suite', suite: addSuite(this.suites, attributes) };
      return { name, kind: 'other' };
    }
    switch (parent.kind) {
      case 'suites':
        if (name === 'testsuite') return { name, kind: 'suite', suite: addSuite(parent.suites, attributes) };
        break;
      case 'suite':
        if (name === 'testsuite') return { name, kind: 'suite', suite: addSuite(parent.suite.suites, attributes) };
        if (name === 'testcase') {
          const testCase = { attributes, error: false, failure: false, skipped: false, rerunFailures: 0 };
          parent.suite.cases.push(testCase);
          return { name, kind: 'case', testCase };
        }
        break;
      case 'case': {
        const testCase = parent.testCase;
        if (name === 'error') testCase.error = true;
        else if (name === 'failure') testCase.failure = true;
        else if (name === 'skipped') testCase.skipped = true;
        else if (RERUN_ELEMENTS.has(name)) testCase.rerunFailures++;
        break;
      }
    }
    return { name, kind: 'other' };
  }

  /** Names of Object.prototype (`constructor`, `__proto__`, ...) would be read through the prototype in a tree. */
  private checkedName(name: string): string {
    if (name in Object.prototype) throw GIVE_UP;
    return name;
  }

  private expect(pattern: RegExp): string {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (!match) throw GIVE_UP;
    this.at = pattern.lastIndex;
    return match[0];
  }

  private skip(pattern: RegExp): boolean {
    pattern.lastIndex = this.at;
    if (!pattern.test(this.text)) return false;
    this.at = pattern.lastIndex;
    return true;
  }
}

/**
 * Whether every `&` of a text starts a predefined entity or a character reference of a character XML allows (tab,
 * newline, carriage return, and from the space on, without surrogates and U+FFFE/U+FFFF): pytest writes `&#10;` in
 * multi-line messages. The general parser drops references to other characters; those texts are left to it.
 */
function plainReferences(text: string): boolean {
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', REFERENCE.lastIndex)) {
    REFERENCE.lastIndex = at;
    const match = REFERENCE.exec(text);
    if (!match) return false;
    const decimal = match[1];
    const hex = match[2];
    if (decimal === undefined && hex === undefined) continue;
    const code = decimal === undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal, 10);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return false;
  }
  return true;
}

function addSuite(into: Suite[], attributes: Map<string, string>): Suite {
  const suite: Suite = { attributes, cases: [], suites: [] };
  into.push(suite);
  return suite;
}

/** junit.ts's collectSuite over the scanned suites: a suite's own cases first, then its nested suites'. */
function collect(suite: Suite, parentFile: string | undefined, into: JunitCase[]): void {
  const suiteFile = suite.attributes.get('file') || suite.attributes.get('filepath') || parentFile;
  const suiteName = suite.attributes.get('name');
  for (const testCase of suite.cases) {
    const a = testCase.attributes;
    const file = a.get('file') || suiteFile;
    into.push({
      classname: a.get('classname') ?? '',
      name: a.get('name') ?? '',
      ...(file ? { fileAttribute: file } : {}),
      ...(suiteName ? { suiteName } : {}),
      outcome: outcomeOf(testCase),
      duration: junitDuration(a.get('time')),
      rerunFailures: testCase.rerunFailures,
    });
  }
  for (const child of suite.suites) collect(child, suiteFile, into);
}

function outcomeOf(testCase: OpenCase): TestOutcome {
  if (testCase.error) return 'error';
  if (testCase.failure) return 'failed';
  if (testCase.skipped) return 'skipped';
  return 'passed';
}
