// The always-on planner: restart a dead member after a backoff that doubles, escalate once after the cap, forget
// earlier deaths once it stayed up, and leave alone one nobody wants up.
import { describe, expect, it } from 'vitest';
import { backoffMs, planAlwaysOn, type AlwaysOnObservation } from './always-on.ts';

const t = { graceMs: 1000, maxRestarts: 3, restartDead: true, stableMs: 60_000 };
const dead = (startedAt: number): AlwaysOnObservation => ({
  address: 'app/crew/a',
  wanted: true,
  live: false,
  startedAt,
});

describe('planAlwaysOn', () => {
  it('waits the grace period, then twice as long before each further restart', () => {
    expect([1, 2, 3].map((n) => backoffMs(1000, n))).toEqual([1000, 2000, 4000]);
    expect(planAlwaysOn([dead(0)], {}, 999, t).decisions).toEqual([]);
    const first = planAlwaysOn([dead(0)], {}, 1000, t);
    expect(first.decisions).toEqual([expect.objectContaining({ kind: 'restart', attempt: 1 })]);
    expect(first.memory['app/crew/a']).toEqual({ restarts: 1, lastStartAt: 1000 });
    expect(planAlwaysOn([dead(0)], first.memory, 2999, t).decisions).toEqual([]);
    expect(planAlwaysOn([dead(0)], first.memory, 3000, t).decisions).toEqual([
      expect.objectContaining({ kind: 'restart', attempt: 2 }),
    ]);
  });

  it('escalates once after the cap, and restarts no more until it was seen up for the stable period', () => {
    const capped = planAlwaysOn([dead(0)], { 'app/crew/a': { restarts: 3, lastStartAt: 0 } }, 100_000, t);
    expect(capped.decisions).toEqual([expect.objectContaining({ kind: 'escalate', restarts: 3 })]);
    expect(planAlwaysOn([dead(0)], capped.memory, 200_000, t).decisions).toEqual([]);
    const up = { address: 'app/crew/a', wanted: true, live: true, startedAt: 200_000 };
    const briefly = planAlwaysOn([up], capped.memory, 210_000, t).memory;
    expect(briefly['app/crew/a']).toMatchObject({ restarts: 3, escalated: false });
    expect(planAlwaysOn([up], capped.memory, 260_000, t).memory).toEqual({});
  });

  it('does nothing for a member stopped on purpose, or when restarts are off, and forgets it', () => {
    const stopped = { ...dead(0), wanted: false };
    expect(planAlwaysOn([stopped], { 'app/crew/a': { restarts: 2 } }, 100_000, t)).toEqual({
      decisions: [],
      memory: {},
    });
    expect(planAlwaysOn([dead(0)], {}, 100_000, { ...t, restartDead: false }).decisions).toEqual([]);
  });
});
