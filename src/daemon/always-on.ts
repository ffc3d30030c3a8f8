// The always-on crew (settings `always_on`, started by gt up): the daemon restarts one whose session died, waiting
// longer before each try (backoff), and escalates once after `maxRestarts` deaths in a row. A member someone stopped
// (gt crew stop, gt down), one of a parked or docked rig, or any while the town is down, is left alone.
import { messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { agentForRole, loadRig, parseAddress, type TownContext } from '../town/index.ts';
import { getAgent, identityOf, startAgent, townTmux, withStore } from '../work/sessions/index.ts';
import { rigState, townDown } from '../work/rig-state/index.ts';
import { existsSync } from 'node:fs';
import { recordEvent } from './events.ts';
import type { TickPorts } from './ports.ts';
import type { DaemonTimings } from './timings.ts';

/** What the daemon remembers of one always-on member between ticks. */
export interface AlwaysOnMemory {
  /** Restarts since it was last seen up for `stableMs`. */
  restarts: number;
  /** When the daemon last started it (ms). */
  lastStartAt?: number;
  /** The restarts ran out and this was escalated: no more tries until it is seen up again. */
  escalated?: boolean;
}

/** One always-on member as the tick sees it. */
export interface AlwaysOnObservation {
  address: string;
  /** Someone wants it up: its record is not `stopped`, its rig is open, the town is not down. */
  wanted: boolean;
  live: boolean;
  /** When its current (or last) session was started, per the agents table (ms). */
  startedAt?: number;
}

export type AlwaysOnDecision =
  | { kind: 'restart'; address: string; attempt: number; reason: string }
  | { kind: 'escalate'; address: string; restarts: number; reason: string };

/** The wait before restart number `attempt` (1-based): the grace period, doubled for each restart before it. */
export function backoffMs(graceMs: number, attempt: number): number {
  return graceMs * 2 ** Math.max(0, attempt - 1);
}

/**
 * Pure: which always-on members to restart or escalate, and the memory after this tick (`memory` is not changed).
 * A member up for `stableMs` since its last start has its restarts forgotten; a dead one is restarted once its
 * backoff has passed since its last start, until `maxRestarts`, then escalated once.
 */
export function planAlwaysOn(
  obs: readonly AlwaysOnObservation[],
  memory: Readonly<Record<string, AlwaysOnMemory>>,
  now: number,
  t: Pick<DaemonTimings, 'graceMs' | 'maxRestarts' | 'restartDead'> & { stableMs: number },
): { decisions: AlwaysOnDecision[]; memory: Record<string, AlwaysOnMemory> } {
  const next: Record<string, AlwaysOnMemory> = {};
  const decisions: AlwaysOnDecision[] = [];
  for (const o of obs) {
    const m = memory[o.address] ?? { restarts: 0 };
    const since = Math.max(o.startedAt ?? 0, m.lastStartAt ?? 0);
    if (o.live || !o.wanted) {
      // Up long enough (or stopped on purpose): its earlier deaths no longer count.
      const settled = !o.wanted || now - since >= t.stableMs;
      if (!settled) next[o.address] = { ...m, escalated: false };
      continue;
    }
    next[o.address] = m;
    if (!t.restartDead || m.escalated) continue;
    const where = `always-on ${o.address}'s session is gone`;
    if (m.restarts >= t.maxRestarts) {
      decisions.push({
        kind: 'escalate',
        address: o.address,
        restarts: m.restarts,
        reason: `${where} after ${m.restarts} restarts`,
      });
      next[o.address] = { ...m, escalated: true };
      continue;
    }
    const attempt = m.restarts + 1;
    const wait = backoffMs(t.graceMs, attempt);
    if (now - since < wait) continue;
    decisions.push({
      kind: 'restart',
      address: o.address,
      attempt,
      reason: `${where}: restart ${attempt} of ${t.maxRestarts}, ${Math.round(wait / 1000)} s after its last start`,
    });
    next[o.address] = { restarts: attempt, lastStartAt: now };
  }
  return { decisions, memory: next };
}

/** The always-on members of the town's settings, observed: wanted, live, last started. */
export async function observeAlwaysOn(town: TownContext): Promise<AlwaysOnObservation[]> {
  const list = town.settings.always_on ?? [];
  if (!list.length) return [];
  const sessions = await townTmux(town).listSessions();
  const down = townDown(town) !== undefined;
  return list.flatMap((address): AlwaysOnObservation[] => {
    let id;
    try {
      id = identityOf(town, parseAddress(town, address));
    } catch {
      return []; // not a crew address of a rig that exists: gt up reports it
    }
    if (!existsSync(id.workdir)) return [];
    const rec = withStore(town, (s) => getAgent(s, address));
    const info = sessions.find((s) => s.name === id.session);
    const wanted = !down && rigState(town, id.rig ?? '') === undefined && rec !== undefined && rec.state !== 'stopped';
    const startedAt = rec?.started_at ? Date.parse(rec.started_at) : undefined;
    return [
      {
        address,
        wanted,
        live: info !== undefined && !info.paneDead,
        ...(startedAt !== undefined ? { startedAt } : {}),
      },
    ];
  });
}

/** Restart (with the runtime it ran, resuming its conversation where it can) or escalate one member. */
export async function applyAlwaysOn(
  town: TownContext,
  ports: TickPorts,
  d: AlwaysOnDecision,
  readyTimeoutMs: number,
): Promise<void> {
  const event = (e: Parameters<typeof recordEvent>[1]): void => withStore(town, (s) => recordEvent(s, e));
  if (d.kind === 'escalate') {
    event({
      kind: TOWN_EVENTS.daemon.crewRestartCap,
      subject: d.address,
      reason: d.reason,
      data: { restarts: d.restarts },
    });
    await ports.escalate(
      town,
      d.address,
      `${d.reason}; the daemon stopped restarting it. Look with gt peek ${d.address}; gt crew start brings it back.`,
      'medium',
    );
    return;
  }
  const id = identityOf(town, parseAddress(town, d.address));
  const tmux = townTmux(town);
  const info = (await tmux.listSessions()).find((s) => s.name === id.session);
  if (info && !info.paneDead) return; // it came back meanwhile
  if (info?.paneDead) await tmux.killSession(id.session);
  const rec = withStore(town, (s) => getAgent(s, d.address));
  const agent = rec?.runtime ?? agentForRole(town.settings, 'crew', id.rig ? loadRig(town, id.rig) : undefined);
  event({
    kind: TOWN_EVENTS.daemon.crewRestart,
    subject: d.address,
    reason: `${d.reason}, with ${agent}`,
    data: { attempt: d.attempt, session: id.session, agent },
  });
  try {
    await startAgent(town, { identity: id, agent, resume: true, readyTimeoutMs });
  } catch (e) {
    event({ kind: TOWN_EVENTS.daemon.error, subject: d.address, reason: `restart failed: ${messageOf(e)}` });
  }
}
