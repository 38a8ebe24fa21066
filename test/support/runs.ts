/**
 * How many cases a property test tries: `local` on a developer's machine, where `npm test` has to
 * stay quick, and `ciFactor` times as many in CI (`CI` set), where the time is there.
 *
 * Every run draws a fresh seed (fast-check-global.ts), so CI keeps finding new cases run after
 * run whatever the factor; the factor only buys more of them in one run. Four by default; a test
 * whose cases cost much CPU and whose local count already reaches every branch it checks gives a
 * smaller factor, with the reason beside it.
 */
export function runs(local: number, ciFactor = 4): number {
  return process.env.CI ? local * ciFactor : local;
}
