// The daemon's pure decisions: when a dead session is restarted or escalated, when a quiet agent is nudged or
// escalated, which idle sessions are reaped and which worktrees are due a snapshot.
import { describe, expect, it } from 'vitest';
import { planDead, planReap, planSnapshots, planStuck, stuckCandidates, type PolecatObservation } from './plan.ts';

const T = { graceMs: 10_000, maxRestarts: 3, restartDead: true, reapIdleMs: 60_000, stuckMs: 600_000 };
const NOW = 1_000_000_000;

function pc(over: Partial<PolecatObservation> = {}): PolecatObservation {
  return {
    rig: 'app',
    name: 'nux',
    address: 'app/nux',
    session: 'ap-nux',
    state: 'working',
    bead: 'ap-1',
    agent: 'fake',
    restarts: 0,
    updatedAt: NOW - 60_000,
    startedAt: NOW - 60_000,
    live: false,
    ...over,
  };
}

describe('planDead', () => {
  it('restarts a dead session holding work, counting the attempt', () => {
    expect(planDead([pc()], NOW, T, new Map())).toEqual([
      expect.objectContaining({
        kind: 'restart',
        bead: 'ap-1',
        attempt: 1,
        reason: expect.stringContaining('restart 1 of 3'),
      }),
    ]);
    expect(planDead([pc({ restarts: 2 })], NOW, T, new Map())[0]).toMatchObject({ kind: 'restart', attempt: 3 });
  });

  it('leaves alone live sessions, empty hooks, idle polecats and anything inside the grace period', () => {
    const skip = [
      pc({ live: true }),
      pc({ bead: null }),
      pc({ state: 'idle' }),
      pc({ state: 'done' }),
      pc({ updatedAt: NOW - 2000 }),
      pc({ startedAt: NOW - 9_999 }),
    ];
    expect(planDead(skip, NOW, T, new Map())).toEqual([]);
  });

  it('escalates once the restarts are used up, and only once per episode', () => {
    const capped = pc({ restarts: 3 });
    expect(planDead([capped], NOW, T, new Map())).toEqual([
      expect.objectContaining({ kind: 'escalate', reason: expect.stringContaining('restarted 3 times') }),
    ]);
    expect(planDead([capped], NOW, T, new Map([['ap-1', NOW - 30_000]]))).toEqual([]);
    // An escalation from before the polecat's last change (an earlier hook) does not count.
    expect(planDead([capped], NOW, T, new Map([['ap-1', NOW - 120_000]]))).toHaveLength(1);
  });

  it('escalates instead of restarting when restart_dead is off', () => {
    expect(planDead([pc()], NOW, { ...T, restartDead: false }, new Map())[0]).toMatchObject({
      kind: 'escalate',
      reason: expect.stringContaining('restart_dead is off'),
    });
  });
});

describe('planStuck', () => {
  const o = { screenHash: 'aaa', updatedAt: NOW - 3_600_000, startedAt: NOW - 3_600_000 };
  const stuck = 600_000;

  it('starts an episode on a new or changed screen', () => {
    expect(planStuck(o, undefined, NOW, stuck)).toEqual({
      memory: { hash: 'aaa', changedAt: NOW },
      action: 'none',
      idleMs: 0,
    });
    expect(planStuck(o, { hash: 'bbb', changedAt: NOW - 9e6, nudgedAt: NOW - 1 }, NOW, stuck).memory).toEqual({
      hash: 'aaa',
      changedAt: NOW,
    });
  });

  it('nudges after the quiet period, then escalates after another, then waits', () => {
    const first = planStuck(o, { hash: 'aaa', changedAt: NOW - stuck }, NOW, stuck);
    expect(first).toMatchObject({ action: 'nudge', memory: { nudgedAt: NOW } });
    expect(planStuck(o, first.memory, NOW + stuck - 1, stuck).action).toBe('none');
    const second = planStuck(o, first.memory, NOW + stuck, stuck);
    expect(second).toMatchObject({ action: 'escalate', memory: { escalatedAt: NOW + stuck } });
    expect(planStuck(o, second.memory, NOW + 5 * stuck, stuck).action).toBe('none');
  });

  it('counts a gt call as activity, even with an unchanged screen', () => {
    expect(
      planStuck({ ...o, lastCall: NOW - 1000 }, { hash: 'aaa', changedAt: NOW - 2 * stuck }, NOW, stuck).action,
    ).toBe('none');
    // A call after the nudge starts a new episode: the next quiet period brings a new nudge, not an escalation.
    const v = planStuck(
      { ...o, lastCall: NOW - stuck - 1 },
      { hash: 'aaa', changedAt: NOW - 3 * stuck, nudgedAt: NOW - 2 * stuck },
      NOW,
      stuck,
    );
    expect(v.action).toBe('nudge');
  });

  it('only checks live working agents with work, past the grace period', () => {
    const list = [
      pc({ live: true, name: 'a' }),
      pc({ live: false, name: 'b' }),
      pc({ live: true, bead: null, name: 'c' }),
      pc({ live: true, updatedAt: NOW - 1, name: 'd' }),
    ];
    expect(stuckCandidates(list, NOW, T.graceMs).map((x) => x.name)).toEqual(['a']);
  });
});

describe('planReap and planSnapshots', () => {
  it('reaps live sessions of polecats with empty hooks idle past the limit', () => {
    const list = [
      pc({ state: 'idle', bead: null, live: true, updatedAt: NOW - 120_000, startedAt: NOW - 120_000, name: 'a' }),
      pc({ state: 'idle', bead: null, live: true, updatedAt: NOW - 30_000, name: 'b' }),
      pc({ state: 'idle', bead: null, live: false, updatedAt: NOW - 120_000, name: 'c' }),
      pc({ live: true, name: 'd' }),
    ];
    expect(planReap(list, NOW, T)).toEqual([
      expect.objectContaining({ name: 'a', reason: expect.stringContaining('nothing on its hook for 120 s') }),
    ]);
  });

  it('snapshots working worktrees whose last snapshot is older than the interval', () => {
    const list = [
      pc({ name: 'a', address: 'app/a' }),
      pc({ name: 'b', address: 'app/b' }),
      pc({ name: 'c', address: 'app/c', state: 'idle', bead: null }),
    ];
    expect(planSnapshots(list, NOW, 60_000, new Map([['app/b', NOW - 1000]])).map((x) => x.name)).toEqual(['a']);
  });
});
