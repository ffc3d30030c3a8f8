import { describe, expect, it } from 'vitest';
import { addressFor, attribute, beadAt, rigOf, type AttributionFacts } from './attribute.ts';

const facts: AttributionFacts = {
  sessions: new Map([['s-1', 'web/nux']]),
  workdirs: [
    { dir: '/t/web/polecats/nux', address: 'web/nux' },
    { dir: '/t/mayor', address: 'mayor' },
    { dir: '/t/web/polecats/nuxx', address: 'web/nuxx' },
  ],
  hooks: new Map([
    [
      'web/nux',
      [
        { at: '2026-01-01T10:00:00Z', bead: 'web-a' },
        { at: '2026-01-01T12:00:00Z', bead: 'web-b' },
      ],
    ],
  ]),
  hooked: new Map([
    ['web/nux', 'web-b'],
    ['mayor', 'hq-x'],
  ]),
  convoys: new Map([['web-a', 'hq-cv1']]),
};

describe('attribution', () => {
  it('finds the agent by the hook address, then the session id, then the working directory', () => {
    expect(addressFor(facts, { address: 'web/slit', sessionId: 's-1' })).toBe('web/slit');
    expect(addressFor(facts, { sessionId: 's-1', cwd: '/t/mayor' })).toBe('web/nux');
    expect(addressFor(facts, { sessionId: 'other', cwd: '/t/web/polecats/nuxx/src' })).toBe('web/nuxx');
    expect(addressFor(facts, { cwd: '/t/web/polecats/nux' })).toBe('web/nux');
    expect(addressFor(facts, { cwd: '/elsewhere' })).toBeNull();
  });

  it('charges each response to the bead on the hook at that moment, and its convoy', () => {
    expect(attribute(facts, 'web/nux', { at: '2026-01-01T11:00:00Z' })).toEqual({
      address: 'web/nux',
      rig: 'web',
      bead: 'web-a',
      convoy: 'hq-cv1',
    });
    expect(attribute(facts, 'web/nux', { at: '2026-01-01T13:00:00Z' })).toEqual({
      address: 'web/nux',
      rig: 'web',
      bead: 'web-b',
      convoy: null,
    });
    expect(attribute(facts, 'web/nux', { at: '2026-01-01T09:00:00Z' }).bead).toBeNull();
    expect(attribute(facts, 'mayor', { at: '2026-01-01T09:00:00Z' })).toEqual({
      address: 'mayor',
      rig: null,
      bead: 'hq-x',
      convoy: null,
    });
    expect(attribute(facts, null, { at: 'x' })).toEqual({ address: null, rig: null, bead: null, convoy: null });
  });

  it('beadAt and rigOf', () => {
    expect(beadAt([], '2026')).toBeUndefined();
    expect(rigOf('web/crew/joe')).toBe('web');
    expect(rigOf('mayor')).toBeNull();
  });
});
