// How often the daemon does what: from the town's `daemon` settings, with environment overrides for tests.
import type { TownContext } from '../town/index.ts';

export interface DaemonTimings {
  tickMs: number;
  /** A polecat hooked this long with no pane change and no gt call is stuck (nudged, then escalated). */
  stuckMs: number;
  /** Never act on an agent (or a polecat row) changed more recently than this. */
  graceMs: number;
  /** Snapshot active worktrees at most this often. */
  snapshotMs: number;
  /** Stop the session of a polecat idle with no hook for longer than this (its worktree stays). */
  reapIdleMs: number;
  /** Restarts of a dead session on the same hook before the daemon escalates instead. */
  maxRestarts: number;
  restartDead: boolean;
  /** An always-on crew member up this long since its last start has its earlier restarts forgotten. */
  stableMs: number;
}

export const MAX_RESTARTS = 3;

/** Timings for `town`; GT_DAEMON_{TICK,STUCK,GRACE,SNAPSHOT,REAP,STABLE}_MS override them (tests use small values). */
export function daemonTimings(town: TownContext): DaemonTimings {
  const d = town.settings.daemon;
  const env = (name: string, fallback: number): number => {
    const v = Number(town.env[`GT_DAEMON_${name}_MS`]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const tickMs = env('TICK', d.tick_seconds * 1000);
  return {
    tickMs,
    stuckMs: env('STUCK', d.stuck_after_seconds * 1000),
    graceMs: env('GRACE', 10_000),
    snapshotMs: env('SNAPSHOT', Math.max(60_000, tickMs)),
    reapIdleMs: env('REAP', 15 * 60_000),
    maxRestarts: MAX_RESTARTS,
    restartDead: d.restart_dead,
    stableMs: env('STABLE', 5 * 60_000),
  };
}
