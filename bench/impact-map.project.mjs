// Generates a Python project with a deep package structure whose __init__.py files re-export everything (so the
// static import closure of any module is every test), plus the places where coverage lies: an lru_cache'd table,
// a module-level memo dict, an object built at import time and a session-scoped fixture.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { seededRandom as random } from '../packages/core/src/model/seeded-random.ts';

const PACKAGES = {
  core: ['numbers', 'text'],
  billing: ['invoice', 'discount'],
  'billing/rules': ['vat', 'rounding'],
  'billing/rules/regional': ['nordic', 'alpine'],
  shipping: ['rates'],
  'inventory/levels': ['bins', 'counts'],
  'reports/formats': ['totals', 'layout'],
};

const HAND_WRITTEN = {
  'src/acme/core/registry.py': `"""Formats built on first use and memoised in a module dict (later callers never build them)."""

_FORMATS = {}


def make_format(name):
    width = len(name) * 2 + 3
    return {"name": name, "width": width, "pad": "-"}


def get_format(name):
    if name not in _FORMATS:
        _FORMATS[name] = make_format(name)
    return _FORMATS[name]


def render(name, value):
    fmt = get_format(name)
    return str(value).rjust(fmt["width"], fmt["pad"])
`,
  'src/acme/shipping/zones.py': `"""A zone table parsed once and cached for the whole process."""
from functools import lru_cache

_SPEC = "north:3,south:5,east:7,west:11"


def _parse_row(row):
    name, factor = row.split(":")
    return name, int(factor)


def build_table(spec):
    return dict(_parse_row(row) for row in spec.split(","))


@lru_cache(maxsize=None)
def zone_table():
    return build_table(_SPEC)


def zone_factor(zone):
    return zone_table()[zone]
`,
  'src/acme/billing/tax.py': `"""The default rule is built when the module is imported, before any test runs."""


class TaxRule:
    def __init__(self, percent):
        self.percent = percent

    @classmethod
    def from_spec(cls, spec):
        return cls(int(spec.rstrip("%")))

    def apply(self, amount):
        return amount + amount * self.percent // 100


DEFAULT_RULE = TaxRule.from_spec("20%")


def taxed(amount):
    return DEFAULT_RULE.apply(amount)
`,
  'src/acme/shipping/parcels.py': `"""Parcel sizes loaded by a session-scoped fixture (set up once, used by many tests)."""


class ParcelCatalog:
    def __init__(self, sizes):
        self.sizes = sizes

    @classmethod
    def load(cls, spec):
        return cls({name: int(weight) for name, weight in (part.split("=") for part in spec.split(";"))})

    def weight(self, name):
        return self.sizes[name]
`,
  'tests/core/test_registry_a.py': `import acme


def test_render_pads_to_the_format_width():
    assert acme.render("id", 7) == "------7"


def test_render_twice_uses_the_same_format():
    assert acme.render("id", 42) == "-----42"
`,
  'tests/core/test_registry_b.py': `import acme


def test_render_other_value():
    assert acme.render("id", 123) == "----123"
`,
  'tests/shipping/test_zones_a.py': `import acme


def test_zone_factor_north():
    assert acme.zone_factor("north") == 3


def test_zone_factor_west():
    assert acme.zone_factor("west") == 11
`,
  'tests/shipping/test_zones_b.py': `import acme


def test_shipping_cost_uses_the_zone_factor():
    assert acme.zone_factor("east") * 10 == 70
`,
  'tests/billing/test_tax.py': `import acme


def test_taxed_adds_the_default_rate():
    assert acme.taxed(100) == 120


def test_default_rule_percent():
    assert acme.DEFAULT_RULE.percent == 20
`,
  'tests/shipping/conftest.py': `import pytest

import acme


@pytest.fixture(scope="session")
def parcels():
    return acme.ParcelCatalog.load("small=2;medium=5;large=9")
`,
  'tests/shipping/test_parcels_a.py': `def test_small_parcel_weight(parcels):
    assert parcels.weight("small") == 2
`,
  'tests/shipping/test_parcels_b.py': `def test_large_parcel_weight(parcels):
    assert parcels.weight("large") == 9


def test_medium_parcel_weight(parcels):
    assert parcels.weight("medium") == 5
`,
};

/** Writes the project into `dir`; returns its layout (source dir, test count) for the harness. */
export function writeDeepProject(dir, seed = 7) {
  const next = random(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const files = { ...HAND_WRITTEN };
  const exported = []; // [{ module dotted, name, fn(v) }]
  const packageDirs = new Set(['']);
  const modulesByPackage = {};
  for (const [pkg, modules] of Object.entries(PACKAGES)) {
    const parts = pkg.split('/');
    for (let i = 1; i <= parts.length; i++) packageDirs.add(parts.slice(0, i).join('/'));
    modulesByPackage[pkg] = [...modules];
    for (const name of modules) {
      const functions = [];
      const lines = [`"""Generated module ${pkg.replaceAll('/', '.')}.${name}."""`];
      const depends = exported.length && next() < 0.6 ? exported[int(0, exported.length - 1)] : undefined;
      if (depends) {
        const depth = pkg.split('/').length;
        lines.push(`from ${'.'.repeat(depth + 1)}${depends.module} import ${depends.name}`);
      }
      lines.push('');
      for (let j = 0; j < 4; j++) {
        const fname = `${name}_${['scale', 'shift', 'clip', 'mix'][j]}`;
        const [a, b, c, d] = [int(2, 9), int(1, 30), int(40, 200), int(3, 25)];
        const useDep = depends && j === 3;
        lines.push(
          '',
          `def ${fname}(value):`,
          `    result = value * ${a} + ${b}`,
          `    if result > ${c}:`,
          `        result = result - ${d}`,
        );
        if (useDep) lines.push(`    result = result + ${depends.name}(value)`);
        lines.push('    return result', '');
        const dep = useDep ? depends.fn : undefined;
        const fn = (v) => {
          let r = v * a + b;
          if (r > c) r -= d;
          if (dep) r += dep(v);
          return r;
        };
        functions.push({ name: fname, fn });
      }
      const cls = name[0].toUpperCase() + name.slice(1) + 'Meter';
      const [k, m] = [int(2, 7), int(1, 50)];
      lines.push(
        '',
        `class ${cls}:`,
        '    def __init__(self, base):',
        `        self.base = base + ${m}`,
        '',
        '    def read(self, value):',
        `        return self.base + value * ${k}`,
        '',
      );
      const module = `${pkg.replaceAll('/', '.')}.${name}`;
      files[`src/acme/${pkg}/${name}.py`] = `${lines.join('\n')}\n`;
      for (const f of functions) exported.push({ module, ...f });
      const tests = ['import acme', ''];
      for (const f of functions) {
        tests.push('', `def test_${f.name}():`);
        for (const v of [0, 3, 17, 40]) tests.push(`    assert acme.${f.name}(${v}) == ${f.fn(v)}`);
        tests.push('');
      }
      const reps = int(1, 4) * 20000;
      tests.push(
        '',
        `def test_${cls.toLowerCase()}_reads():`,
        `    meter = acme.${cls}(10)`,
        `    total = 0`,
        `    for value in range(${reps}):`,
        `        total += meter.read(value % 7)`,
      );
      let total = 0;
      for (let v = 0; v < reps; v++) total += 10 + m + (v % 7) * k;
      tests.push(`    assert total == ${total}`, '');
      files[`tests/${pkg}/test_${name}.py`] = `${tests.join('\n')}\n`;
    }
  }
  // Every package re-exports everything below it, as many real projects do for a flat public API.
  for (const pkg of packageDirs) {
    const lines = [];
    const depth = pkg === '' ? 0 : pkg.split('/').length;
    for (const child of [...packageDirs].filter(
      (p) => p !== pkg && p.split('/').length === depth + 1 && (pkg === '' || p.startsWith(`${pkg}/`)),
    )) {
      lines.push(`from .${child.split('/').pop()} import *  # noqa: F401,F403`);
    }
    for (const name of modulesByPackage[pkg] ?? []) lines.push(`from .${name} import *  # noqa: F401,F403`);
    if (pkg === 'core') lines.push('from .registry import *  # noqa: F401,F403');
    if (pkg === 'shipping')
      lines.push('from .zones import *  # noqa: F401,F403', 'from .parcels import *  # noqa: F401,F403');
    if (pkg === 'billing') lines.push('from .tax import *  # noqa: F401,F403');
    files[`src/acme/${pkg ? `${pkg}/` : ''}__init__.py`] = `${lines.join('\n')}\n`;
  }
  files['pytest.ini'] = '[pytest]\ntestpaths = tests\npythonpath = src\n';
  files['.gitignore'] = '.coverage\n__pycache__/\n.junit.xml\n';
  files['tests/__init__.py'] = '';
  for (const pkg of packageDirs) if (pkg) files[`tests/${pkg}/__init__.py`] = '';
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { sourceDir: 'src', testFiles: Object.keys(files).filter((p) => /tests\/.*test_[^/]+\.py$/.test(p)).length };
}
