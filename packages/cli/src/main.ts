import { runCli } from '@ci-optimizer/core/runtime';
import { cliEntries } from './commands.ts';

const code = await runCli(process.argv.slice(2), cliEntries(), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
