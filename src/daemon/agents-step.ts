// Applying the agent decisions of a tick: restart dead sessions on their hook, nudge or escalate stuck agents, stop
// idle sessions. Each re-reads the polecat row and the session just before acting, and records what it did.
import { nudge } from '../agents/index.ts';
import { messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { agentForRole, loadRig, type TownContext } from '../town/index.ts';
import {
  exitSummary,
  identityOf,
  readLastExit,
  setHookedBead,
  signalsOf,
  startAgent,
  stopAgent,
  townTmux,
  withStore,
} from '../work/sessions/index.ts';
import { recordEvent } from './events.ts';
import { screenHash } from './observe.ts';
import type { DeadDecision, PolecatObservation, ReapDecision, StuckVerdict } from './plan.ts';
import type { TickPorts } from './ports.ts';
import { countRestart, getPolecat } from '../work/polecats/index.ts';

interface Row {
  state: string;
  bead: string | null;
  agent: string | null;
  restarts: number;
}

function readRow(town: TownContext, rig: string, name: string): Row | undefined {
  return withStore(town, (s): Row | undefined => getPolecat(s, rig, name));
}

const event = (town: TownContext, e: Parameters<typeof recordEvent>[1]): void =>
  withStore(town, (s) => recordEvent(s, e));

/** Restart a dead session on its hook, or escalate once the restarts are used up. */
export async function applyDead(
  town: TownContext,
  ports: TickPorts,
  d: DeadDecision,
  readyTimeoutMs: number,
): Promise<void> {
  const row = readRow(town, d.rig, d.name);
  const address = `${d.rig}/${d.name}`;
  if (!row || row.state !== 'working' || row.bead !== d.bead) return; // changed since we looked: next tick decides
  const tmux = townTmux(town);
  const id = identityOf(town, { kind: 'polecat', rig: d.rig, name: d.name });
  const info = (await tmux.listSessions()).find((s) => s.name === id.session);
  if (info && !info.paneDead) return; // it came back
  if (d.kind === 'escalate') {
    event(town, {
      kind: TOWN_EVENTS.daemon.restartCap,
      subject: d.bead,
      reason: d.reason,
      data: { polecat: address, restarts: row.restarts },
    });
    // Its own words when it died starting (not logged in, a refused flag): restarting again would not help.
    const exit = readLastExit(town, id.session);
    const why = exit ? ` Its last start: ${exit.runtime} ${exitSummary(exit)}.` : '';
    await ports.escalate(
      town,
      address,
      `${address} keeps dying while working on ${d.bead}: ${d.reason}.${why} Its worktree and branch are kept; look with gt peek ${address} or gt hooks list.`,
      'high',
      d.bead,
    );
    return;
  }
  if (row.restarts + 1 !== d.attempt) return;
  if (info?.paneDead) await tmux.killSession(id.session);
  withStore(town, (s) => countRestart(s, d.rig, d.name, d.bead));
  // The hook's pin (gt sling --agent) if it has one, else the rig's polecat agent as the settings say now.
  const pinned = row.agent !== null;
  const agent = row.agent ?? agentForRole(town.settings, 'polecat', loadRig(town, d.rig));
  event(town, {
    kind: TOWN_EVENTS.daemon.restart,
    subject: d.bead,
    reason: `${d.reason}, with ${agent}${pinned ? ' (pinned by gt sling --agent)' : ''}`,
    data: { polecat: address, attempt: d.attempt, session: id.session, agent, pinned },
  });
  // Told to carry on: a restarted session (resumed or fresh) otherwise waits at its prompt until the stuck nudge.
  await startAgent(town, {
    identity: id,
    agent,
    resume: true,
    readyTimeoutMs,
    prompt: RESTART_PROMPT(address, d.bead),
  });
  // The contract (docs/work-loop.md): the agent's record names the same hook as its polecat row.
  withStore(town, (s) => setHookedBead(s, address, d.bead));
}

export const RESTART_PROMPT = (address: string, bead: string): string =>
  `Gas Town: you are ${address} (polecat). Your session died and was restarted; your hook still holds ${bead}. Carry on with it (gt prime shows it), and finish with gt done.`;

export const STUCK_NUDGE = (bead: string, minutes: number): string =>
  `Gas Town daemon: nothing has changed on your screen for ${minutes} min while ${bead} is on your hook. Carry on with it; if you are blocked, run gt escalate "<what blocks you>"; when it is finished, run gt done.`;

/** Nudge a quiet agent (then remember its screen after the nudge as the baseline), or escalate it. */
export async function applyStuck(
  town: TownContext,
  ports: TickPorts,
  o: PolecatObservation,
  v: StuckVerdict,
): Promise<StuckVerdict['memory']> {
  const row = readRow(town, o.rig, o.name);
  if (!row || row.state !== 'working' || row.bead !== o.bead) return v.memory;
  const minutes = Math.max(1, Math.round(v.idleMs / 60_000));
  if (v.action === 'escalate') {
    event(town, {
      kind: TOWN_EVENTS.daemon.stuckEscalate,
      subject: o.bead,
      reason: `${o.address} is still quiet after a nudge (no screen change or gt call for ${Math.round(v.idleMs / 1000)} s)`,
      data: { polecat: o.address },
    });
    await ports.escalate(
      town,
      o.address,
      `${o.address} looks stuck on ${o.bead}: no screen change and no gt call for ${minutes} min, and a nudge did not help. Look with gt peek ${o.address}.`,
      'medium',
      o.bead!,
    );
    return v.memory;
  }
  const tmux = townTmux(town);
  const r = await nudge(
    tmux,
    { runtimeDir: town.paths.runtime, idleTimeoutMs: 5000 },
    {
      session: o.session,
      message: STUCK_NUDGE(o.bead!, minutes),
      mode: 'wait-idle',
      from: 'daemon',
      signals: signalsOf(town, o.agent ?? row.agent ?? ''),
    },
  );
  event(town, {
    kind: TOWN_EVENTS.daemon.nudge,
    subject: o.bead,
    reason: `${o.address}: no screen change or gt call for ${Math.round(v.idleMs / 1000)} s`,
    data: { polecat: o.address, result: r.status, ...(r.status === 'failed' ? { detail: r.detail } : {}) },
  });
  let hash = v.memory.hash;
  try {
    hash = screenHash((await tmux.snapshot(o.session)).lines);
  } catch (e) {
    event(town, {
      kind: TOWN_EVENTS.daemon.error,
      subject: o.address,
      reason: `reading the screen after the nudge: ${messageOf(e)}`,
    });
  }
  return { ...v.memory, hash };
}

/** Stop the session of a polecat with an empty hook; its worktree and branch stay. */
export async function applyReap(town: TownContext, d: ReapDecision): Promise<void> {
  const row = readRow(town, d.rig, d.name);
  if (!row || row.bead || (row.state !== 'idle' && row.state !== 'done')) return;
  const r = await stopAgent(town, identityOf(town, { kind: 'polecat', rig: d.rig, name: d.name }));
  if (r.stopped)
    event(town, {
      kind: TOWN_EVENTS.daemon.reap,
      subject: `${d.rig}/${d.name}`,
      reason: `${d.reason}; session stopped, worktree kept`,
      data: { session: r.session },
    });
}
