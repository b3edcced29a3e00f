// Loaded with `node --import` before a bundled action (bench/selection-speed.mjs, the shipped code): notes the wall
// time, the process's CPU time and the main thread's CPU time at the first child process the action starts (its first
// git call) and again when the process exits, and writes both to the file named by BENCH_SPEED_TIMES as JSON. The
// action's own code is not changed: the child_process functions are wrapped before it is loaded (for ES module
// importers too, through syncBuiltinESMExports).
import childProcess from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';

const now = () => ({ at: performance.now(), cpu: process.cpuUsage(), thread: process.threadCpuUsage() });
let first;
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync']) {
  const real = childProcess[name];
  const wrapped = function (...args) {
    first ??= now();
    return Reflect.apply(real, this, args);
  };
  // util.promisify(execFile) uses execFile's own promise form.
  const promised = real[promisify.custom];
  if (promised)
    wrapped[promisify.custom] = (...args) => {
      first ??= now();
      return promised(...args);
    };
  childProcess[name] = wrapped;
}
syncBuiltinESMExports();

const ms = (usage) => (usage.user + usage.system) / 1000;
process.on('exit', () => {
  const end = now();
  const start = first ?? end;
  writeFileSync(
    process.env.BENCH_SPEED_TIMES,
    JSON.stringify({
      // From the first git call to the exit (the figure the sources' child gives: module loading is not in it).
      ms: end.at - start.at,
      cpuMs: ms(end.cpu) - ms(start.cpu),
      mainCpuMs: ms(end.thread) - ms(start.thread),
      // The whole process, from Node's start (module loading included).
      processMs: end.at,
      processCpuMs: ms(end.cpu),
    }),
  );
});
