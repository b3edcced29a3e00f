import { describe, expect, it } from 'vitest';
import { selectForChange } from './support.ts';

// One real git repository per construct: base commit, one change, selection through the real diff.
const sorted = (tests: string[]) => [...tests].sort();

describe('selection per Python import construct', () => {
  it('import a.b selects the tests that import the changed module, not the others', async () => {
    const result = await selectForChange(
      {
        'app/__init__.py': '',
        'app/ledger.py': 'def post(): return 1\n',
        'app/rates.py': 'RATE = 1\n',
        'tests/test_ledger.py': 'import app.ledger\n',
        'tests/test_rates.py': 'import app.rates\n',
      },
      { 'app/ledger.py': 'def post(): return 2\n' },
    );
    expect(result.runAll).toBe(false);
    expect(result.tests).toEqual(['tests/test_ledger.py']);
    expect(result.totalCount).toBe(2);
    expect(result.reduction).toBe(0.5);
    expect(result.explanations['tests/test_ledger.py']).toBe(
      'tests/test_ledger.py imports app.ledger (line 1) → app/ledger.py (modified)',
    );
  });

  it('from a.b import c follows c when it is a submodule and a.b when it is a name', async () => {
    const base = {
      'app/__init__.py': '',
      'app/core/__init__.py': 'def helper(): return 1\n',
      'app/core/ledger.py': 'X = 1\n',
      'tests/test_sub.py': 'from app.core import ledger\n',
      'tests/test_name.py': 'from app.core import helper\n',
    };
    expect((await selectForChange(base, { 'app/core/ledger.py': 'X = 2\n' })).tests).toEqual(['tests/test_sub.py']);
    expect(sorted((await selectForChange(base, { 'app/core/__init__.py': 'def helper(): return 2\n' })).tests)).toEqual(
      ['tests/test_name.py', 'tests/test_sub.py'],
    );
  });

  it('relative imports at any depth and from . import x', async () => {
    const result = await selectForChange(
      {
        'app/__init__.py': '',
        'app/util.py': 'U = 1\n',
        'app/a/__init__.py': '',
        'app/a/b/__init__.py': '',
        'app/a/b/deep.py': 'from ...util import U\n',
        'app/a/sibling.py': 'from . import other\n',
        'app/a/other.py': 'O = 1\n',
        'tests/test_deep.py': 'from app.a.b import deep\n',
        'tests/test_sibling.py': 'from app.a import sibling\n',
      },
      { 'app/util.py': 'U = 2\n', 'app/a/other.py': 'O = 2\n' },
    );
    expect(sorted(result.tests)).toEqual(['tests/test_deep.py', 'tests/test_sibling.py']);
    expect(result.explanations['tests/test_deep.py']).toContain('imports ...util (line 1) → app/util.py (modified)');
  });

  it('__init__.py re-exports: a change to pkg/mod.py reaches tests that import pkg', async () => {
    const result = await selectForChange(
      {
        'pkg/__init__.py': 'from .mod import compute\n',
        'pkg/mod.py': 'def compute(): return 1\n',
        'pkg/unrelated.py': 'Y = 1\n',
        'tests/test_api.py': 'import pkg\n',
        'tests/test_unrelated.py': 'print("no imports of pkg")\n',
      },
      { 'pkg/mod.py': 'def compute(): return 2\n' },
    );
    expect(result.tests).toEqual(['tests/test_api.py']);
  });

  it('imports inside functions, try/except ImportError and TYPE_CHECKING count', async () => {
    const base = {
      'app/__init__.py': '',
      'app/fast.py': 'F = 1\n',
      'app/models.py': 'M = 1\n',
      'app/lazy.py': 'L = 1\n',
      'tests/test_try.py': 'try:\n    from app import fast\nexcept ImportError:\n    fast = None\n',
      'tests/test_typing.py': 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.models import M\n',
      'tests/test_inner.py': 'def test_x():\n    import app.lazy\n',
      'tests/test_none.py': 'import json\n',
    };
    expect((await selectForChange(base, { 'app/fast.py': 'F = 2\n' })).tests).toEqual(['tests/test_try.py']);
    expect((await selectForChange(base, { 'app/models.py': 'M = 2\n' })).tests).toEqual(['tests/test_typing.py']);
    expect((await selectForChange(base, { 'app/lazy.py': 'L = 2\n' })).tests).toEqual(['tests/test_inner.py']);
  });

  it('importlib.import_module("literal") and __import__("literal") are imports', async () => {
    const base = {
      'app/__init__.py': '',
      'app/plugins/__init__.py': '',
      'app/plugins/csv.py': 'C = 1\n',
      'app/util.py': 'U = 1\n',
      'tests/test_importlib.py': 'import importlib\nmod = importlib.import_module("app.plugins.csv")\n',
      'tests/test_dunder.py': 'util = __import__("app.util")\n',
    };
    expect((await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' })).tests).toEqual([
      'tests/test_importlib.py',
    ]);
    expect((await selectForChange(base, { 'app/util.py': 'U = 2\n' })).tests).toEqual(['tests/test_dunder.py']);
  });

  it('src layout: tests import the package by its name under src/', async () => {
    const result = await selectForChange(
      {
        'src/shop/__init__.py': '',
        'src/shop/cart.py': 'def total(): return 1\n',
        'src/shop/tax.py': 'T = 1\n',
        'tests/test_cart.py': 'from shop.cart import total\n',
        'tests/test_tax.py': 'from shop import tax\n',
      },
      { 'src/shop/cart.py': 'def total(): return 2\n' },
    );
    expect(result.tests).toEqual(['tests/test_cart.py']);
  });

  it('flat layout with tests inside the package', async () => {
    const result = await selectForChange(
      {
        'shop/__init__.py': '',
        'shop/cart.py': 'def total(): return 1\n',
        'shop/tests/__init__.py': '',
        'shop/tests/test_cart.py': 'from ..cart import total\n',
        'shop/tests/test_misc.py': 'import os\n',
      },
      { 'shop/cart.py': 'def total(): return 2\n' },
    );
    expect(result.tests).toEqual(['shop/tests/test_cart.py']);
  });

  it('namespace packages (no __init__.py) resolve', async () => {
    const result = await selectForChange(
      {
        'src/acme/billing/invoice.py': 'I = 1\n',
        'src/acme/billing/refund.py': 'R = 1\n',
        'tests/test_invoice.py': 'from acme.billing import invoice\n',
        'tests/test_refund.py': 'import acme.billing.refund\n',
      },
      { 'src/acme/billing/invoice.py': 'I = 2\n' },
    );
    expect(result.tests).toEqual(['tests/test_invoice.py']);
  });

  it('several roots, configured', async () => {
    const base = {
      'lib/common/__init__.py': '',
      'lib/common/strings.py': 'S = 1\n',
      'services/api/handlers.py': 'from common import strings\n',
      'tests/test_handlers.py': 'import handlers\n',
      'tests/test_other.py': 'import json\n',
    };
    const result = await selectForChange(
      base,
      { 'lib/common/strings.py': 'S = 2\n' },
      { roots: ['lib', 'services/api'] },
    );
    expect(result.tests).toEqual(['tests/test_handlers.py']);
    expect(result.explanations['tests/test_handlers.py']).toBe(
      'tests/test_handlers.py imports handlers (line 1) → services/api/handlers.py imports common.strings (line 1) → lib/common/strings.py (modified)',
    );
  });

  it('tests importing test helpers and other tests', async () => {
    const base = {
      'tests/helpers.py': 'def make(): return 1\n',
      'tests/test_base.py': 'def check(): pass\n',
      'tests/test_uses_helper.py': 'from helpers import make\n',
      'tests/test_uses_test.py': 'from test_base import check\n',
      'tests/test_alone.py': 'import os\n',
    };
    expect((await selectForChange(base, { 'tests/helpers.py': 'def make(): return 2\n' })).tests).toEqual([
      'tests/test_uses_helper.py',
    ]);
    expect(sorted((await selectForChange(base, { 'tests/test_base.py': 'def check(): assert 0\n' })).tests)).toEqual([
      'tests/test_base.py',
      'tests/test_uses_test.py',
    ]);
  });

  it('pytest_plugins pulls in plugin modules', async () => {
    const result = await selectForChange(
      {
        'tests/__init__.py': '',
        'tests/fixtures/__init__.py': '',
        'tests/fixtures/db.py': 'import pytest\n',
        'tests/api/__init__.py': '',
        'tests/api/conftest.py': 'pytest_plugins = ["tests.fixtures.db"]\n',
        'tests/api/test_api.py': 'def test_x(db): pass\n',
        'tests/test_other.py': 'def test_y(): pass\n',
      },
      { 'tests/fixtures/db.py': 'import pytest\nX = 1\n' },
    );
    expect(result.tests).toEqual(['tests/api/test_api.py']);
    expect(result.explanations['tests/api/test_api.py']).toContain('registers pytest plugin tests.fixtures.db');
  });

  it('star imports load the submodules named in __all__', async () => {
    const result = await selectForChange(
      {
        'pkg/__init__.py': '__all__ = ["alpha"]\n',
        'pkg/alpha.py': 'A = 1\n',
        'pkg/beta.py': 'B = 1\n',
        'tests/test_star.py': 'from pkg import *\n',
      },
      { 'pkg/alpha.py': 'A = 2\n', 'pkg/beta.py': 'B = 2\n' },
    );
    expect(result.tests).toEqual(['tests/test_star.py']);
    expect(result.explanations['tests/test_star.py']).toContain('pkg/alpha.py');
  });

  it('a computed import with a literal prefix selects the tests of its importer when a module under the prefix changes', async () => {
    const base = {
      'app/__init__.py': '',
      'app/registry.py':
        'import importlib\ndef load(name):\n    return importlib.import_module(f"app.plugins.{name}")\n',
      'app/plugins/__init__.py': '',
      'app/plugins/csv.py': 'C = 1\n',
      'app/other.py': 'O = 1\n',
      'tests/test_registry.py': 'from app.registry import load\n',
      'tests/test_other.py': 'import app.other\n',
    };
    const widened = await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' }, { 'dynamic-imports': 'widen' });
    expect(widened.runAll).toBe(false);
    expect(widened.tests).toEqual(['tests/test_registry.py']);
    expect(widened.explanations['tests/test_registry.py']).toContain('may load it at run time');
    // The literal prefix bounds the call: under the default policy too it is an edge like an import, not run-all.
    const strict = await selectForChange(base, { 'app/plugins/csv.py': 'C = 2\n' });
    expect(strict.runAll).toBe(false);
    expect(strict.tests).toEqual(['tests/test_registry.py']);
    // Outside the prefix the computed import cannot reach the change.
    const outside = await selectForChange(base, { 'app/other.py': 'O = 2\n' });
    expect(outside.runAll).toBe(false);
    expect(outside.tests).toEqual(['tests/test_other.py']);
  });
});
