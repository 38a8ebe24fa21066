/**
 * The CPU seconds of each test file, for BENCHMARKS.md ("npm test"): when JEST_CPU_REPORT names a
 * file, each test file appends one line to it (nothing happens otherwise): its path, the CPU seconds of the worker (user + system: loading the modules the
 * file imports, and its tests) and those of the child processes it started and waited for (tsc,
 * the scripts, cdk8s, Squid, Chromium), from /proc/self/stat (Linux; proc(5): utime, stime,
 * cutime, cstime, in clock ticks of 1/100 s). Jest's own work around a file (its environment,
 * the setup files before this one) is in neither: a run's total, with `/usr/bin/time`, has it.
 * CPU seconds, unlike wall seconds, hardly move with the load of the machine.
 */
import { appendFileSync, readFileSync } from 'fs';

const TICKS_PER_SECOND = 100;

/** [own, children] CPU seconds of this process so far. */
function cpuSeconds(): [number, number] {
  // The fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]) / TICKS_PER_SECOND;
  return [field(14) + field(15), field(16) + field(17)];
}

const report = process.env.JEST_CPU_REPORT;
if (report) {
  const start = cpuSeconds();
  afterAll(() => {
    const [own, children] = cpuSeconds();
    appendFileSync(report, `${expect.getState().testPath} ${(own - start[0]).toFixed(2)} ${(children - start[1]).toFixed(2)}\n`);
  });
}
