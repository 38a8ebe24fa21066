/**
 * How many cases a property test tries: `local` on a developer's machine, where `npm test` has to
 * stay quick, and four times as many in CI (`CI` set), where the time is there.
 */
export function runs(local: number): number {
  return process.env.CI ? local * 4 : local;
}
