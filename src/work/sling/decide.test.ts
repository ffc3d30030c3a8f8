// The sling rules as data: claim, already, take-over, refuse; slots under the caps.
import { describe, expect, it } from 'vitest';
import { decideClaim, decideSlot, isSameTarget, townLevelRefusal } from './decide.ts';

const bead = (status: string, assignee: string | null = null, type = 'task') => ({
  id: 'app-1',
  status: status as 'open',
  assignee,
  type,
});

describe('decideClaim', () => {
  it('claims open work and refuses closed work and convoys', () => {
    expect(decideClaim(bead('open'), { rig: 'app' }, false)).toEqual({ action: 'claim' });
    expect(decideClaim(bead('closed'), { rig: 'app' }, false)).toMatchObject({
      action: 'refuse',
      reason: 'app-1 is closed',
    });
    expect(decideClaim(bead('open', null, 'convoy'), { rig: 'app' }, false)).toMatchObject({ action: 'refuse' });
  });

  it('treats a re-sling to the same target as already done and another target as a take-over only with force', () => {
    const hooked = bead('hooked', 'app/nux');
    expect(decideClaim(hooked, { rig: 'app' }, false)).toEqual({ action: 'already', holder: 'app/nux' });
    expect(decideClaim(hooked, { rig: 'app', polecat: 'nux' }, false)).toMatchObject({ action: 'already' });
    expect(decideClaim(hooked, { rig: 'app', polecat: 'slit' }, false)).toMatchObject({
      action: 'refuse',
      reason: 'app-1 is already hooked by app/nux',
    });
    expect(decideClaim(hooked, { rig: 'web' }, true)).toEqual({ action: 'take-over', from: 'app/nux' });
  });

  it("knows which holders are the target rig's polecats", () => {
    expect(isSameTarget('app/nux', { rig: 'app' })).toBe(true);
    expect(isSameTarget('app/crew/alice', { rig: 'app' })).toBe(false);
    expect(isSameTarget('app/refinery', { rig: 'app' })).toBe(false);
  });
});

describe('decideSlot', () => {
  const caps = { polecats_per_rig: 2, polecats_per_town: 3 };
  it('gives a slot under both caps and names the cap that is reached', () => {
    expect(decideSlot({ rig: 1, town: 1 }, caps, 'app')).toEqual({ free: true });
    expect(decideSlot({ rig: 2, town: 2 }, caps, 'app')).toMatchObject({
      free: false,
      reason: expect.stringContaining('cap 2'),
    });
    expect(decideSlot({ rig: 0, town: 3 }, caps, 'app')).toMatchObject({
      free: false,
      reason: expect.stringContaining('the town'),
    });
  });
});

describe('townLevelRefusal', () => {
  it("refuses the town's own records (mail, agent beads, merge requests, gates, events, escalations) and passes work", () => {
    for (const type of ['message', 'agent', 'merge-request', 'gate', 'event'])
      expect(townLevelRefusal(bead('open', null, type), 'app', 'hq')?.reason).toMatch(
        /^app-1 is an? .*, a town-level record, not work for rig app$/,
      );
    expect(townLevelRefusal({ ...bead('open'), labels: ['escalation'] }, 'app', 'hq')?.reason).toBe(
      'app-1 is an escalation, a town-level record, not work for rig app',
    );
    for (const type of ['task', 'bug', 'feature', 'molecule', 'epic'])
      expect(townLevelRefusal(bead('open', null, type), 'app', 'hq')).toBeUndefined();
  });

  it("refuses the town's hq- beads for a rig, whatever their type: rig work carries the rig's prefix", () => {
    expect(townLevelRefusal({ ...bead('open'), id: 'hq-x1f' }, 'app', 'hq')).toEqual({
      reason: 'hq-x1f is a town-level bead (prefix hq-), not work for rig app',
      hint: expect.stringContaining('bd create "<title>" --rig app'),
    });
  });
});
