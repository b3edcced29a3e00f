import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  nextSafetyState,
  readSafetyState,
  STORE_KEYS,
  updateSafetyState,
  writeSafetyState,
} from '@ci-optimizer/core/test-predictor';
import { DirStore } from '@ci-optimizer/core/store';
import { tempDir } from '../support/git-repo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const options = (reset: boolean, now: string) => ({ window: 20, maxMissRate: 0.05, reset, now });

describe('the safety switch is a conditional write', () => {
  it("a reset stored by another job between a record's read and its write is read again and kept", async () => {
    const dir = tempDir('ci-opt-safety-');
    dirs.push(dir);
    const store = new DirStore(dir);
    await writeSafetyState(store, nextSafetyState(undefined, [], options(false, '2026-01-01T00:00:00.000Z')));
    const warnings: string[] = [];
    let calls = 0;
    const final = await updateSafetyState(
      store,
      (previous) => {
        calls++;
        if (calls === 1) {
          // Another job stores a person's reset after this job read the state.
          const reset = nextSafetyState(previous, [], options(true, '2026-01-02T00:00:00.000Z'));
          writeFileSync(join(dir, STORE_KEYS.safety), `${JSON.stringify(reset)}\n`);
        }
        return nextSafetyState(previous, [], options(false, '2026-01-04T00:00:00.000Z'));
      },
      (message) => warnings.push(message),
    );
    expect(calls).toBe(2);
    expect(final.resetAt).toBe('2026-01-02T00:00:00.000Z');
    expect((await readSafetyState(store, (message) => warnings.push(message)))?.resetAt).toBe(
      '2026-01-02T00:00:00.000Z',
    );
    expect(warnings).toEqual([]);
  });
});
