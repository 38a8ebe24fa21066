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
    const list = allowLists.find((l) => l.name === d.allowList);
    if (!list) throw new Error(`allow-list ${d.allowList} is not declared`);
    return { kind: 'nets', blocks: list.cidrs.map((c) => planBlock(c, carved)), allowList: list.name, sharedReason: list.shared?.reason };
  },
  check: (d, declared) => {
    if (declared.allowLists.includes(d.allowList)) return [];
    const accepted = declared.allowLists.length ? declared.allowLists.map((n) => `"${n}"`).join(', ') : 'a name declared in allowLists (none is declared)';
    const near = didYouMean(d.allowList, declared.allowLists);
    return [
      { field: 'allowList', value: d.allowList, message: `names no declared allow-list; accepted: ${accepted}${near ? `. Did you mean "${near}"?` : ''}` },
    ];
  },
};
