/**
 * Runs one phase in this process and prints one line: `BENCH_RESULT {json}` with the timed
 * seconds, the setup seconds and this process's peak resident memory.
 *
 * Usage: node --require tsx/cjs bench/child.ts <phase> '<PhaseInput as JSON>'
 */
import { PHASES, PhaseInput, PhaseName } from './phases';

/** What one child reports. */
export interface ChildResult {
  readonly phase: PhaseName;
  readonly seconds: number;
  /** CPU time (user and system) of the timed body: what other work on a shared machine does not stretch. */
  readonly cpuSeconds: number;
  readonly setupSeconds: number;
  readonly peakRssMb: number;
  readonly facts: Readonly<Record<string, number>>;
}

export const RESULT_MARKER = 'BENCH_RESULT ';

if (require.main === module) {
  const [name, json] = process.argv.slice(2);
  const phase = PHASES[name as PhaseName];
  if (!phase) throw new Error(`unknown phase ${JSON.stringify(name)}; accepted: ${Object.keys(PHASES).join(', ')}`);
  const input = JSON.parse(json) as PhaseInput;
  const started = performance.now();
  const body = phase(input);
  const ready = performance.now();
  const cpuBefore = process.cpuUsage();
  const facts = body();
  const cpu = process.cpuUsage(cpuBefore);
  const done = performance.now();
  const result: ChildResult = {
    phase: name as PhaseName,
    seconds: (done - ready) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    setupSeconds: (ready - started) / 1000,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    facts,
  };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}
