import { rmSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { hitRecordProblem } from '@ci-optimizer/core/cache-key';
import { cacheKeyCommand } from '@ci-optimizer/core/commands/cache-key';
import { perfCommentCommand } from '@ci-optimizer/core/commands/perf-comment';
import { reportCommand } from '@ci-optimizer/core/commands/report';
import { s3CacheCommand } from '@ci-optimizer/core/commands/s3-cache';
import { testFilterCommand } from '@ci-optimizer/core/commands/test-filter';
import { testPredictorCommand } from '@ci-optimizer/core/commands/test-predictor';
import { compileSchema, compiledSchemas } from '@ci-optimizer/core/config';
import { appendRun, readRunHistory } from '@ci-optimizer/core/report';
import { DirStore } from '@ci-optimizer/core/store';
import { tempDir } from '../support/git-repo.ts';

// compileSchema skips ajv's meta-schema check at run time (it costs more than an action's start): the schemas it
// compiles are checked here instead, with the check on.
const metaCheck = new Ajv({ strict: false });

describe('compileSchema (packages/core/src/config/schema.ts)', () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates like ajv and names the failing path', () => {
    const validate = compileSchema({
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1 } },
      required: ['n'],
    });
    expect(validate({ n: 2 })).toBe(true);
    expect(validate({ n: 0 })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/n', keyword: 'minimum' });
    expect(validate({})).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'required' });
  });

  it('every config section schema is valid against the JSON Schema meta-schema', () => {
    const commands = [
      cacheKeyCommand,
      perfCommentCommand,
      reportCommand,
      s3CacheCommand,
      testFilterCommand,
      testPredictorCommand,
    ];
    for (const command of commands) {
      expect(command.configSchema, command.name).toBeDefined();
      expect(
        metaCheck.validateSchema(command.configSchema as object),
        `${command.name}: ${metaCheck.errorsText()}`,
      ).toBe(true);
    }
  });

  it('every record schema compiled through it (run history, cache hits) is valid against the meta-schema', async () => {
    const store = new DirStore(dir);
    await appendRun(store, {
      schema: 1,
      time: '2026-01-01T00:00:00.000Z',
      kind: 'main',
      ref: 'refs/heads/main',
      sha: 'a'.repeat(40),
      pipelineMs: 1000,
      testsSelected: 1,
      testsTotal: 2,
      testTimeSavedMs: 500,
      cache: 'exact',
    });
    expect((await readRunHistory(store)).runs).toHaveLength(1);
    expect(hitRecordProblem({})).toMatch(/./);
    const schemas = compiledSchemas();
    expect(schemas.length).toBeGreaterThanOrEqual(2);
    for (const schema of schemas)
      expect(
        metaCheck.validateSchema(schema),
        `${JSON.stringify(schema).slice(0, 120)}: ${metaCheck.errorsText()}`,
      ).toBe(true);
  });

  it('the meta-schema check catches a malformed schema (what the run-time compile no longer does)', () => {
    expect(metaCheck.validateSchema({ type: 'object', properties: { n: { type: 'integr' } } })).toBe(false);
  });
});
