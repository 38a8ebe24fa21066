import fc from 'fast-check';
import { ALL_PORTS, comparePorts, isAllPorts, PortRange, portAtoms, Ports, samePorts, describePorts } from './ports';

const range: fc.Arbitrary<PortRange> = fc
  .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 300 }))
  .map(([from, length]) => ({ from, to: Math.min(65535, from + length) }));

describe('ports', () => {
  it('splits 1-65535 into consecutive atoms that each lie wholly inside or wholly outside every range', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 6 }), (ranges) => {
        const atoms = portAtoms(ranges);
        expect(atoms[0].from).toBe(ALL_PORTS.from);
        expect(atoms[atoms.length - 1].to).toBe(ALL_PORTS.to);
        atoms.forEach((a, i) => {
          expect(a.from).toBeLessThanOrEqual(a.to);
          if (i > 0) expect(a.from).toBe(atoms[i - 1].to + 1);
          for (const r of ranges) expect(a.to < r.from || a.from > r.to || (r.from <= a.from && a.to <= r.to)).toBe(true);
        });
      }),
    );
  });

  it('cuts no more than the ranges ask for: every boundary between atoms is a boundary of some range', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 6 }), (ranges) => {
        for (const a of portAtoms(ranges).slice(1)) expect(ranges.some((r) => r.from === a.from || r.to + 1 === a.from)).toBe(true);
      }),
    );
  });

  it('orders ranges by first then last port, names after them, and knows all ports and equal ports', () => {
    const list: Ports[] = [{ name: 'http' }, { from: 443, to: 443 }, { name: 'grpc' }, { from: 80, to: 8080 }, { from: 80, to: 80 }];
    expect([...list].sort(comparePorts).map(describePorts)).toEqual(['80', '80-8080', '443', 'grpc', 'http']);
    expect(isAllPorts({ from: 1, to: 65535 })).toBe(true);
    expect(isAllPorts({ from: 0, to: 65535 })).toBe(false);
    expect(isAllPorts({ name: 'all' })).toBe(false);
    expect(samePorts({ from: 53, to: 53 }, { from: 53, to: 53 })).toBe(true);
    expect(samePorts({ name: 'dns' }, { name: 'dns' })).toBe(true);
    expect(samePorts({ name: 'dns' }, { from: 53, to: 53 })).toBe(false);
  });
});
