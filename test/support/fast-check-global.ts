import { randomInt } from 'crypto';

/**
 * Jest global setup: picks the seed of every property test of this run, fresh each run (locally
 * and in CI), and prints it, so that a failure can be replayed: `FC_SEED=<seed> npm test`. A seed
 * given in FC_SEED is kept. The workers read it from the environment (see fast-check-seed.ts).
 */
export default function globalSetup(): void {
  const given = process.env.FC_SEED;
  if (given !== undefined && !/^-?\d+$/.test(given)) throw new Error(`FC_SEED: ${JSON.stringify(given)} is not accepted; accepted: a whole number`);
  const seed = given ?? String(randomInt(2 ** 31));
  process.env.FC_SEED = seed;
  process.stdout.write(
    `\nfast-check seed ${seed}${given === undefined ? '' : ' (from FC_SEED)'}; replay a property test that failed with FC_SEED=${seed} npm test\n`,
  );
}
