import { describe, expect, it } from 'vitest';
import { selectForChange } from './support.ts';

describe('numeric distances of the selection', () => {
  const base = {
    'app/__init__.py': '',
    'app/low.py': 'X = 1\n',
    'app/mid.py': 'from app.low import X\n',
    'app/top.py': 'from app.mid import X\n',
    'app/rates.py': 'import json\nRATES = json.load(open("data/rates.json"))\n',
    'data/rates.json': '{}\n',
    'tests/test_low.py': 'from app.low import X\n',
    'tests/test_mid.py': 'import app.mid\n',
    'tests/test_top.py': 'import app.top\n',
    'tests/test_rates.py': 'import app.rates\n',
    'tests/test_smoke.py': 'def test_ok(): pass\n',
  };

  it('counts import edges from the nearest changed file; a changed test is 0', async () => {
    const result = await selectForChange(base, {
      'app/low.py': 'X = 2\n',
      'tests/test_top.py': 'import app.top\nY = 1\n',
    });
    expect(result.distances).toEqual({ 'tests/test_low.py': 1, 'tests/test_mid.py': 2, 'tests/test_top.py': 0 });
    // The explanation text tells the same story: one arrow per import edge.
    expect(result.explanations['tests/test_mid.py'].split('→')).toHaveLength(3);
  });

  it('a changed data file is one hop beyond the module that names it; rules count one hop', async () => {
    const result = await selectForChange(
      base,
      { 'data/rates.json': '{"a": 1}\n' },
      { 'always-run': ['tests/test_smoke.py'] },
    );
    expect(result.distances).toEqual({ 'tests/test_rates.py': 2, 'tests/test_smoke.py': 1 });
  });

  it('is empty when every test runs', async () => {
    const result = await selectForChange(base, { 'app/low.py': 'X = (\n' });
    expect(result.runAll).toBe(true);
    expect(result.distances).toEqual({});
  });
});
