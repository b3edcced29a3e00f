import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJunitXmlTree, scanJunitXml } from '../../packages/core/src/test-history/index.ts';

// The JUnit scanner (junit-scan.ts) reads the plain XML test runners write and hands everything else to the general
// XML parser. Whatever it reads must come out exactly as the general parser's tree reads it: the same cases, in the
// same order, with the same attribute values. Here both read thousands of generated reports, plain and odd.

/** The general parser's answer: the cases, or its error. */
function tree(xml: string): { cases?: unknown; error?: string } {
  try {
    return { cases: parseJunitXmlTree(xml, 'r.xml') };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** A seeded random source (mulberry32), so a failure is reproducible from the seed in the test's name. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ELEMENTS = [
  'testsuites',
  'testsuite',
  'testsuite',
  'testcase',
  'testcase',
  'testcase',
  'failure',
  'error',
  'skipped',
  'rerunFailure',
  'rerunError',
  'flakyFailure',
  'flakyError',
  'properties',
  'property',
  'system-out',
  'ns:testcase',
  'a.b-c',
  'Testcase',
];
const ATTRIBUTES = ['name', 'classname', 'file', 'filepath', 'time', 'message', 'type', 'line', 'a:b', 'x-y.z'];
const VALUE_PARTS = [
  'tests.test_a',
  'test_one',
  'tests/test_a.py',
  'src/a.test.ts',
  '0.5',
  '1,234.5',
  '-1',
  'abc',
  '',
  ' ',
  '  2  ',
  '&lt;',
  '&gt;',
  '&amp;',
  '&amp;lt;',
  '&quot;',
  '&apos;',
  '>',
  'é中',
  '\n',
  '\t',
  '\u00a0',
  'a b',
  '[param-1]',
  '&#10;',
  '&#13;',
  '&#09;',
  '&#65;',
  '&#x42;',
  '&#xE9;',
  '&#128512;',
  '&amp;#10;',
];
/** Parts the scanner leaves to the general parser (or that the general parser rejects). */
const ODD_VALUE_PARTS = [
  '&',
  '&#0;',
  '&#x1b;',
  '&#X41;',
  '&#xD800;',
  '&#xFFFE;',
  '&#;',
  '<',
  '\r\n',
  '&nbsp;',
  '&bogus;',
];
const TEXT_PARTS = [
  'text',
  ' ',
  '\n  ',
  '&amp;',
  '&lt;x&gt;',
  '<![CDATA[ <x> & ]]>',
  '<!-- a comment -->',
  '>',
  ']]>',
  'AssertionError: assert 1 == 2',
  'line&#10;next &#x1F600;',
];
const ODD_TEXT_PARTS = ['&', '&#1;', '&bogus;', '&#xZZ;', '<?pi x?>', '<!DOCTYPE x>', '<![CDATA[ unclosed'];

/** A report: plain (what runners write) or, one time in three, with odd and wrong parts here and there. */
function generate(next: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const odd = next() < 1 / 3;
  const chance = (p: number) => next() < p;
  /** Something odd or wrong, only in an odd report. */
  const oddly = (p: number) => odd && next() < p;
  const value = (quote: string) => {
    let text = '';
    const parts = 1 + Math.floor(next() * 3);
    for (let i = 0; i < parts; i++) text += oddly(0.03) ? pick(ODD_VALUE_PARTS) : pick(VALUE_PARTS);
    return text.split(quote).join(quote === '"' ? '&quot;' : '&apos;');
  };
  const attributes = () => {
    const names = ATTRIBUTES.filter(() => chance(0.35));
    if (oddly(0.02) && names.length > 0) names.push(names[0]); // repeated
    return names
      .map((name) => {
        const quote = chance(0.8) ? '"' : "'";
        const space = oddly(0.02) ? '' : pick([' ', ' ', ' ', '\n  ', '\t', '  ']);
        const equals = oddly(0.02) ? ' ' : pick(['=', '=', '=', ' = ', '=\n']);
        return oddly(0.01) ? `${space}${name}` : `${space}${name}${equals}${quote}${value(quote)}${quote}`;
      })
      .join('');
  };
  const element = (depth: number, name: string): string => {
    const open = `<${name}${attributes()}`;
    if (depth > 4 || chance(0.3)) return `${open}${chance(0.2) ? ' ' : ''}${oddly(0.05) ? '/ >' : '/>'}`;
    let inner = '';
    const children = Math.floor(next() * (depth < 2 ? 5 : 3));
    for (let i = 0; i < children; i++) {
      if (chance(0.3)) inner += oddly(0.04) ? pick(ODD_TEXT_PARTS) : pick(TEXT_PARTS);
      inner += element(depth + 1, pick(ELEMENTS));
    }
    if (chance(0.2)) inner += pick(TEXT_PARTS);
    if (oddly(0.01)) return `${open}>${inner}`; // unclosed
    const close = oddly(0.01) ? 'other' : name;
    return `${open}>${inner}</${close}${chance(0.1) ? ' ' : ''}>`;
  };
  let doc = '';
  if (chance(0.5))
    doc += pick([
      '<?xml version="1.0" encoding="utf-8"?>',
      "<?xml version='1.0'?>\n",
      '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n',
    ]);
  if (chance(0.1)) doc += pick(['\n', '<!-- lead -->', '  ']);
  doc += element(0, oddly(0.3) ? pick(ELEMENTS) : pick(['testsuites', 'testsuite']));
  if (oddly(0.1)) doc += element(0, 'testsuite'); // a second root
  if (chance(0.1)) doc += pick(['\n', '<!-- tail -->']);
  if (oddly(0.1)) doc += pick(['trailing text', '\uFEFF', '<?pi?>']);
  if (oddly(0.05)) doc = doc.slice(0, Math.floor(next() * doc.length)); // truncated
  if (oddly(0.03)) doc = `\uFEFF${doc}`;
  return doc;
}

describe('the JUnit scanner reads exactly what the general XML parser reads', () => {
  it.each([1, 2, 3])('on 3,000 generated reports, plain and odd (seed %i)', (seed) => {
    const next = random(seed);
    let scanned = 0;
    let handedOver = 0;
    for (let i = 0; i < 3000; i++) {
      const xml = generate(next);
      const fast = scanJunitXml(xml);
      const general = tree(xml);
      if (fast === undefined) {
        handedOver++;
        continue;
      }
      scanned++;
      // Whatever the scanner reads, the general parser reads too, and to the same cases.
      expect(general, xml).toStrictEqual({ cases: fast });
    }
    // Both paths are exercised: the plain reports (two in three) are scanned, many odd ones are handed over.
    expect(scanned).toBeGreaterThan(1800);
    expect(handedOver).toBeGreaterThan(300);
  });

  it('scans the reports of pytest, vitest and jest-junit (the fixtures) as the general parser reads them', () => {
    const fixtures = join(import.meta.dirname, '..', 'test-predictor', 'fixtures');
    for (const name of ['vitest-junit.xml', 'jest-junit.xml']) {
      const xml = readFileSync(join(fixtures, name), 'utf8');
      const fast = scanJunitXml(xml);
      expect(fast, name).toBeDefined();
      expect(fast).toStrictEqual(parseJunitXmlTree(xml, name));
    }
    const pytest = [
      '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.12" timestamp="2026-01-01T00:00:00.000000" hostname="h">',
      '<testcase classname="tests.test_a" name="test_ok" time="0.001" />',
      '<testcase classname="tests.test_a" name="test_fail[a&lt;b-&quot;x&quot;]" time="0.002"><failure message="assert 1 == 2&#10;">def test_fail():\n&gt;       assert 1 == 2\nE       assert 1 == 2</failure></testcase>',
      '<testcase classname="tests.test_a" name="test_skip" time="0.000"><skipped type="pytest.skip" message="later">tests/test_a.py:9: later</skipped></testcase>',
      '<testcase classname="tests.test_a" name="test_error" time="0.003"><error message="failed on setup with &quot;RuntimeError: setup&quot;">@pytest.fixture</error><system-out><![CDATA[captured <stdout> & more]]></system-out></testcase>',
      '</testsuite></testsuites>',
    ].join('\n');
    // pytest writes a multi-line message with `&#10;`: scanned, the reference kept as the general parser keeps it.
    const fast = scanJunitXml(pytest);
    expect(fast).toStrictEqual(parseJunitXmlTree(pytest, 'pytest.xml'));
    expect(fast?.map((c) => c.outcome)).toEqual(['passed', 'failed', 'skipped', 'error']);
    // A reference to a character XML does not allow (the general parser drops it) is left to the general parser.
    expect(scanJunitXml(pytest.replace('&#10;', '&#27;'))).toBeUndefined();
  });

  it('hands over what it does not read: DOCTYPE and entities, deep nesting, form errors, prototype names', () => {
    for (const xml of [
      '<!DOCTYPE testsuites [<!ENTITY e "x">]><testsuites><testsuite><testcase name="&e;"/></testsuite></testsuites>',
      `<testsuites>${'<testsuite>'.repeat(70)}${'</testsuite>'.repeat(70)}</testsuites>`,
      '<testsuite><testcase></testsuite>',
      '<testsuite name="a" name="b"/>',
      '<testsuite name=unquoted/>',
      '<testsuite><testcase name="x"/></testsuite>trailing',
      '<testsuite><testcase name="a & b"/></testsuite>',
      '<testsuite><testcase name="x">a & b</testcase></testsuite>',
      '<testsuite><__proto__><failure/></__proto__></testsuite>',
      '<testsuite><testcase constructor="x"/></testsuite>',
      '<html><body>not junit</body></html>',
      '<testsuites><testsuite name="s"><testcase classname="tests.test_d" na',
    ])
      expect(scanJunitXml(xml), xml).toBeUndefined();
  });
});
