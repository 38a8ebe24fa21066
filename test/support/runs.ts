/**
 * How many cases a property test tries: `local` on a developer's machine, where `npm test` has to
 * stay quick, and `ciFactor` times as many in CI (`CI` set).
 *
 * Every run draws a fresh seed (fast-check-global.ts), so CI keeps finding new cases run after
 * run whatever the factor; the factor only buys more of them in one run. Twice by default: CI runs
 * `npm test` as the README gives it, whose time counts too (BENCHMARKS.md, "npm test": with four
 * times, the extra cases of the property tests cost about 15 CPU seconds of the suite's run in CI,
 * with twice about 6). A factor stays above 1, so CI always tries more than a developer's run.
 */
export function runs(local: number, ciFactor = 2): number {
  return process.env.CI ? local * ciFactor : local;
}
