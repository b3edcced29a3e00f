import { runCli } from '@ci-optimizer/core/runtime';
import { cliEntries } from './commands.ts';
import { nodeVersionProblem } from './node-version.ts';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`ci-optimizer: ${problem}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await runCli(process.argv.slice(2), cliEntries(), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  });
}
