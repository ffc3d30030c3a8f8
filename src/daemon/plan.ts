// The daemon's decisions as pure functions of what it observed: restart or escalate dead sessions, nudge or escalate
// stuck ones, reap idle ones, snapshot active worktrees. The tick observes, asks these, and applies the answers.
import type { DaemonTimings } from './timings.ts';

/** One polecat as the daemon sees it at a tick (times in ms since the epoch). */
export interface PolecatObservation {
  rig: string;
  name: string;
  address: string;
  session: string;
  /** `polecats.state`: idle | working | done | stopped. */
  state: string;
  bead: string | null;
  agent: string | null;
  restarts: number;
  /** When the polecat row last changed (a sling, a restart). */
  updatedAt: number;
  /** When its current session was started, if the agents table knows. */
  startedAt?: number;
  /** The tmux session exists and its pane runs. */
  live: boolean;
  /** Hash of the visible screen (live sessions only). */
  screenHash?: string;
  /** The agent's latest sign of life outside the screen: a heartbeat or a gt call in the event log. */
  lastCall?: number;
}

export type DeadDecision =
  | { kind: 'restart'; rig: string; name: string; bead: string; attempt: number; reason: string }
  | { kind: 'escalate'; rig: string; name: string; bead: string; reason: string };

const lastChange = (o: PolecatObservation): number => Math.max(o.updatedAt, o.startedAt ?? 0);

/**
 * Dead sessions holding work: a working polecat with a bead and no live session, past the grace period. Restart it
 * on the same hook up to `maxRestarts` times, then escalate once (`escalatedAt`: bead → time of the last
 * escalation; one older than the polecat's last change belongs to an earlier episode).
 */
export function planDead(
  obs: readonly PolecatObservation[],
  now: number,
  t: Pick<DaemonTimings, 'graceMs' | 'maxRestarts' | 'restartDead'>,
  escalatedAt: ReadonlyMap<string, number>,
): DeadDecision[] {
  const out: DeadDecision[] = [];
  for (const o of obs) {
    if (o.state !== 'working' || !o.bead || o.live) continue;
    if (now - lastChange(o) < t.graceMs) continue;
    const where = `session ${o.session} of ${o.address} is gone while ${o.bead} is on its hook`;
    if (t.restartDead && o.restarts < t.maxRestarts) {
      out.push({
        kind: 'restart',
        rig: o.rig,
        name: o.name,
        bead: o.bead,
        attempt: o.restarts + 1,
        reason: `${where}: restart ${o.restarts + 1} of ${t.maxRestarts}`,
      });
      continue;
    }
    if ((escalatedAt.get(o.bead) ?? -Infinity) >= o.updatedAt) continue;
    const why = t.restartDead
      ? `restarted ${o.restarts} times already (the cap is ${t.maxRestarts})`
      : 'daemon.restart_dead is off';
    out.push({ kind: 'escalate', rig: o.rig, name: o.name, bead: o.bead, reason: `${where}; ${why}` });
  }
  return out;
}

/** What the daemon remembers of one agent's screen between ticks. */
export interface ActivityMemory {
  hash: string;
  /** When the screen last changed (not counting the daemon's own nudge). */
  changedAt: number;
  nudgedAt?: number;
  escalatedAt?: number;
}

export interface StuckVerdict {
  memory: ActivityMemory;
  action: 'none' | 'nudge' | 'escalate';
  idleMs: number;
}

/**
 * Stuck detection for a live, hooked agent. A changed screen starts a new episode. An agent quiet (no screen change,
 * no call) for `stuckMs` is nudged once; still quiet `stuckMs` after the nudge, it is escalated once. The applier
 * stores the screen as it is after the nudge as the new baseline, so the typed nudge does not count as activity.
 */
export function planStuck(
  o: Pick<PolecatObservation, 'screenHash' | 'lastCall' | 'startedAt' | 'updatedAt'>,
  prev: ActivityMemory | undefined,
  now: number,
  stuckMs: number,
): StuckVerdict {
  const hash = o.screenHash ?? '';
  if (!prev || prev.hash !== hash) return { memory: { hash, changedAt: now }, action: 'none', idleMs: 0 };
  const lastActive = Math.max(prev.changedAt, o.lastCall ?? 0, o.startedAt ?? 0, o.updatedAt);
  const idleMs = now - lastActive;
  const nudgedThisEpisode = prev.nudgedAt !== undefined && prev.nudgedAt >= lastActive;
  if (!nudgedThisEpisode) {
    return idleMs >= stuckMs
      ? { memory: { hash, changedAt: prev.changedAt, nudgedAt: now }, action: 'nudge', idleMs }
      : { memory: { hash, changedAt: prev.changedAt }, action: 'none', idleMs };
  }
  if (prev.escalatedAt === undefined && now - prev.nudgedAt! >= stuckMs)
    return { memory: { ...prev, escalatedAt: now }, action: 'escalate', idleMs };
  return { memory: prev, action: 'none', idleMs };
}

/** Live hooked agents to check for being stuck: working, with a bead, past the grace period. */
export function stuckCandidates(
  obs: readonly PolecatObservation[],
  now: number,
  graceMs: number,
): PolecatObservation[] {
  return obs.filter((o) => o.state === 'working' && o.bead && o.live && now - lastChange(o) >= graceMs);
}

export interface ReapDecision {
  rig: string;
  name: string;
  reason: string;
}

/** Sessions of polecats with nothing on their hook for `reapIdleMs`: stop the session, keep the worktree. */
export function planReap(
  obs: readonly PolecatObservation[],
  now: number,
  t: Pick<DaemonTimings, 'reapIdleMs' | 'graceMs'>,
): ReapDecision[] {
  return obs
    .filter(
      (o) =>
        (o.state === 'idle' || o.state === 'done') &&
        !o.bead &&
        o.live &&
        now - lastChange(o) >= Math.max(t.reapIdleMs, t.graceMs),
    )
    .map((o) => ({
      rig: o.rig,
      name: o.name,
      reason: `${o.address} has had nothing on its hook for ${Math.round((now - lastChange(o)) / 1000)} s`,
    }));
}

/** Polecats whose worktree is due a snapshot: working on a bead, last snapshot older than `snapshotMs`. */
export function planSnapshots(
  obs: readonly PolecatObservation[],
  now: number,
  snapshotMs: number,
  lastAt: ReadonlyMap<string, number>,
): PolecatObservation[] {
  return obs.filter((o) => o.state === 'working' && o.bead && now - (lastAt.get(o.address) ?? -Infinity) >= snapshotMs);
}
