import type { AllowList } from '../values';
import { fields, ports, protocol, text } from '../fields';
import { didYouMean } from '../issues';
import { DestinationBase, DestinationKind } from './kind';
import { planBlock } from '../plan-types';

/** A shared allow-list of external networks, declared once on the platform and used by name. */
export interface AllowListDestination extends DestinationBase {
  /** The name of an allow-list in `PlatformIntent.allowLists`. */
  readonly allowList: string;
}

export function isAllowListDestination(d: DestinationBase): d is AllowListDestination {
  return 'allowList' in d;
}

/** `{ allowList, ports }`: every block of a declared allow-list, each with its metadata addresses carved out. */
export const allowListKind: DestinationKind<AllowListDestination> = {
  key: 'allowList',
  form: '{ allowList, ports }',
  schema: fields('an allow-list destination', {
    allowList: text('the name of an allow-list declared in allowLists'),
    ports,
    protocol: protocol.optional(),
    description: text('a few words saying what the destination is').optional(),
  }),
  describe: (d) => `allow-list ${d.allowList}`,
  peer: (d, { allowLists, carved }) => {
    const list = listsByName(allowLists).get(d.allowList);
    if (!list) throw new Error(`allow-list ${d.allowList} is not declared`);
    return { kind: 'nets', blocks: list.cidrs.map((c) => planBlock(c, carved)), allowList: list.name, sharedReason: list.shared?.reason };
  },
  check: (d, declared) => {
    if (nameSet(declared.allowLists).has(d.allowList)) return [];
    const accepted = declared.allowLists.length ? declared.allowLists.map((n) => `"${n}"`).join(', ') : 'a name declared in allowLists (none is declared)';
    const near = didYouMean(d.allowList, declared.allowLists);
    return [
      { field: 'allowList', value: d.allowList, message: `names no declared allow-list; accepted: ${accepted}${near ? `. Did you mean "${near}"?` : ''}` },
    ];
  },
};

/**
 * The declared allow-lists by name (the first of a name), and their names as a set, made once per
 * list: every allow-list destination of every app looks one up, and the number of lists grows
 * with the number of apps (a search of the list per destination made the check and the plan
 * quadratic).
 */
const listIndexes = new WeakMap<readonly AllowList[], ReadonlyMap<string, AllowList>>();
const nameSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function listsByName(lists: readonly AllowList[]): ReadonlyMap<string, AllowList> {
  let index = listIndexes.get(lists);
  if (!index) {
    const made = new Map<string, AllowList>();
    for (const l of lists) if (!made.has(l.name)) made.set(l.name, l);
    listIndexes.set(lists, (index = made));
  }
  return index;
}

function nameSet(names: readonly string[]): ReadonlySet<string> {
  let set = nameSets.get(names);
  if (!set) nameSets.set(names, (set = new Set(names)));
  return set;
}
