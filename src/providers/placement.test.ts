import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePlace, loadPlacementRules, type PlaceLoad } from './placement.ts';

const loads = (...xs: [string, number, number][]): PlaceLoad[] =>
  xs.map(([name, running, max]) => ({ name, running, max }));

describe('choosePlace', () => {
  it('takes the least loaded place by share of its cap, then fewest running, then local first', () => {
    expect(choosePlace(loads(['local', 2, 4], ['a', 0, 2], ['b', 1, 2]), {}, 'app', 'polecat')).toEqual({
      where: 'a',
      why: 'least loaded (a 0/2; local 2/4, b 1/2)',
    });
    // local 1/4 = 0.25 beats a 1/2 = 0.5
    expect(choosePlace(loads(['local', 1, 4], ['a', 1, 2]), {}, 'app', 'polecat').where).toBe('local');
    // all empty: local first, the order given breaks ties
    expect(choosePlace(loads(['local', 0, 1], ['a', 0, 2], ['b', 0, 2]), {}, 'app', 'polecat').where).toBe('local');
    expect(choosePlace(loads(['local', 1, 1], ['a', 0, 2], ['b', 0, 2]), {}, 'app', 'polecat').where).toBe('a');
    // same share, fewer running wins: b 1/4 vs a 2/8
    expect(choosePlace(loads(['local', 4, 4], ['a', 2, 8], ['b', 1, 4]), {}, 'app', 'polecat').where).toBe('b');
  });

  it('keeps to the rig and role affinity and prefers what they prefer while it has room', () => {
    const rules = {
      rigs: { app: { hosts: ['a', 'b'], prefer: ['b'] } },
      roles: { polecat: { hosts: ['b', 'local'] } },
    };
    const c = choosePlace(loads(['local', 0, 4], ['a', 0, 2], ['b', 1, 2]), rules, 'app', 'polecat');
    expect(c).toEqual({
      where: 'b',
      why: 'preferred by rig app, with room (b 1/2) (rig app may use a, b; role polecat may use b, local)',
    });
    // b full: nothing else is allowed by both, so the sling waits
    expect(choosePlace(loads(['local', 0, 4], ['a', 0, 2], ['b', 2, 2]), rules, 'app', 'polecat')).toEqual({
      where: null,
      why: 'every place allowed is at its cap: b 2/2 (rig app may use a, b; role polecat may use b, local)',
    });
    // another rig has no affinity of its own: the role's applies
    expect(choosePlace(loads(['local', 3, 4], ['a', 0, 2], ['b', 0, 2]), rules, 'web', 'polecat').where).toBe('b');
    // a full preferred place falls back to the least loaded
    const pref = { rigs: { app: { prefer: ['a'] } } };
    expect(choosePlace(loads(['local', 1, 4], ['a', 2, 2], ['b', 0, 2]), pref, 'app', 'polecat').where).toBe('b');
    expect(
      choosePlace(loads(['local', 0, 4], ['a', 1, 2]), { rigs: { app: { hosts: [] } } }, 'app', 'polecat'),
    ).toEqual({ where: null, why: 'no place is allowed (rig app may use nothing)' });
  });

  it('reads the rules from settings/hosts.json and refuses a place that is not local or a host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-placement-'));
    try {
      expect(loadPlacementRules(dir, ['a'])).toEqual({});
      writeFileSync(
        join(dir, 'hosts.json'),
        JSON.stringify({ hosts: {}, placement: { local_max_polecats: 1, rigs: { app: { prefer: ['a'] } } } }),
      );
      expect(loadPlacementRules(dir, ['a'])).toEqual({ local_max_polecats: 1, rigs: { app: { prefer: ['a'] } } });
      expect(() => loadPlacementRules(dir, ['b'])).toThrow(
        /rigs\.app\.prefer .* names "a", which is not local or a host/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
