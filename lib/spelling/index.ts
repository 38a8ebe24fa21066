/**
 * Proposing the name that was meant: a leaf module (it imports nothing of the project), shared by
 * the intent's checks (a misspelled field) and the command lines (a misspelled command or option).
 */

import { closest, distance } from 'fastest-levenshtein';

/**
 * The known name closest to a misspelled one, when it is close enough to be what was meant:
 * one edit for names of up to three letters, else two or a third of its letters, whichever is
 * more (`protocoll`, `podLabel`, `teir`, `healthpath`).
 */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = name.toLowerCase();
  const best = closest(
    lower,
    known.map((k) => k.toLowerCase()),
  );
  const match = known.find((k) => k.toLowerCase() === best)!;
  const allowed = match.length <= 3 ? 1 : Math.max(2, Math.floor(match.length / 3));
  return distance(lower, best) <= allowed ? match : undefined;
}
