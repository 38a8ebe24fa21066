import { z } from 'zod';
import type { DestinationKind } from './destinations/kind';
import { allowListKind, type AllowListDestination } from './destinations/allow-list';

// A kind's schema is typed by the safeParse it is asked (destinations/kind.ts), which keeps tsc from
// measuring the variance of zod's classes; the type-check (test/typecheck.test.ts) still refuses a
// schema whose output is not the kind's destination.
describe("a destination kind's schema", () => {
  it('parses a destination of its kind, and refuses one with a misspelled field', () => {
    expect(allowListKind.schema.safeParse({ allowList: 'mirror', ports: [443] }).success).toBe(true);
    expect(allowListKind.schema.safeParse({ allowLis: 'mirror', ports: [443] }).success).toBe(false);
  });

  it('is typed so that a schema whose output is not the destination does not type-check', () => {
    // @ts-expect-error its output has no allowList
    const wrong: DestinationKind<AllowListDestination>['schema'] = z.object({ allowLis: z.string(), ports: z.array(z.number()) });
    expect(wrong).toBeDefined();
  });
});
