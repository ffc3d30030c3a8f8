// What each agent is doing, from the agents table and its live tmux pane: the pure classifier, and the listing
// `gt agents` shows.
import {
  detectDialog,
  dialogReason,
  isStuckOnDialog,
  readySignals,
  resolvePreset,
  showsBusy,
  showsReadyPrompt,
  type ReadySignals,
} from '../../agents/index.ts';
import type { SessionInfo } from '../../tmux/index.ts';
import type { TownContext } from '../../town/index.ts';
import { listAgentRecords, type AgentRecord, type AgentState } from '../../agents/table.ts';
import { hookedBeadOf } from './hook.ts';
import { dialogRuntime } from './runtime-setup.ts';
import { withStore } from './start.ts';
import { howItEnded, lastWords, readLastExit, type LastExit } from './last-exit.ts';
import { townTmux } from '../../town/index.ts';
import { listPolecats } from '../polecats/table.ts';
import { existsSync } from 'node:fs';
import { hostsFile, listPlacements } from '../../providers/index.ts';

export interface PaneObservation {
  live: boolean;
  /** The visible screen (live sessions only). */
  lines?: readonly string[];
  paneDead?: boolean;
}

/**
 * The state an agent is in. A missing session is `stopped` if it was stopped on purpose, else `dead`; a live one
 * is `stuck` on a dialog, `working` with its busy marker, `idle` at its ready prompt, else `starting` while the
 * table says so and `working` otherwise (the screen shows output without a prompt).
 */
export function classifyState(
  recorded: AgentState | undefined,
  pane: PaneObservation,
  signals: ReadySignals,
  dialogRuntime = 'claude',
): AgentState {
  if (!pane.live || pane.paneDead) return recorded === 'stopped' ? 'stopped' : 'dead';
  const lines = pane.lines ?? [];
  if (isStuckOnDialog(lines, dialogRuntime)) return 'stuck';
  if (showsBusy(lines, signals)) return 'working';
  if (showsReadyPrompt(lines, signals)) return 'idle';
  if (!signals.prompt && recorded !== 'starting') return recorded === 'working' ? 'working' : 'idle';
  return recorded === 'starting' ? 'starting' : 'working';
}

/**
 * Why an agent is in its state, when that needs saying: the dialog or login screen a `stuck` one waits on, how a
 * `dead` one ended when it died at start-up. Null otherwise.
 */
export function stateReason(
  state: AgentState,
  pane: PaneObservation,
  dialogRuntime = 'claude',
  exit?: Pick<LastExit, 'runtime' | 'status' | 'signal' | 'lines'>,
): string | null {
  if (state === 'stuck') {
    const d = detectDialog(pane.lines ?? [], dialogRuntime);
    return d ? dialogReason(d) : null;
  }
  if (state === 'dead' && exit) {
    const words = lastWords(exit.lines);
    return `${exit.runtime} ${howItEnded(exit)} during start-up${words ? `: ${JSON.stringify(words)}` : ''} (gt peek shows its last screen)`;
  }
  return null;
}

export interface AgentView {
  address: string;
  role: string;
  rig: string | null;
  runtime: string;
  session: string | null;
  state: AgentState;
  hooked_bead: string | null;
  /** The runtime's own conversation id, as its session-start hook reported it. */
  session_id: string | null;
  attached: boolean;
  started_at: string | null;
  last_activity: string | null;
  /**
   * Polecats: whether the runtime is pinned to its hook (gt sling --agent) or follows the rig's polecat agent at
   * each (re)start; null for other roles.
   */
  pinned: boolean | null;
  /** Why it is stuck or dead, when known (see stateReason). */
  reason: string | null;
  /** How it last ended during start-up, while it has not started cleanly since. */
  last_exit: { runtime: string; at: string; status: number | null; signal: number | null } | null;
  /** The SSH host it runs on (docs/hosts.md); null: this machine. */
  host: string | null;
}

/**
 * Every agent the town knows (the table) and every session on its socket the table does not know (shown with
 * role `unknown`), each with its live state. One tmux call per live session, all at once.
 */
export async function listAgents(town: TownContext): Promise<AgentView[]> {
  const tmux = townTmux(town);
  const [records, sessions] = await Promise.all([
    Promise.resolve(
      withStore(town, (s) => {
        const pins = new Map(listPolecats(s).map((p) => [`${p.rig}/${p.name}`, p.agent]));
        const hosts = existsSync(hostsFile(town.paths.settingsDir))
          ? new Map(listPlacements(s).map((p) => [p.address, p.host]))
          : new Map<string, string>();
        return listAgentRecords(s).map((r) => ({
          ...r,
          hooked_bead: hookedBeadOf(s, r),
          pinned: r.role === 'polecat' && pins.has(r.address) ? pins.get(r.address) !== null : null,
          host: hosts.get(r.address) ?? null,
        }));
      }),
    ),
    tmux.listSessions(),
  ]);
  const bySession = new Map(sessions.map((s) => [s.name, s]));
  const known = new Set(records.map((r) => r.session));
  const liveNames = records.flatMap((r) =>
    r.session && bySession.get(r.session) && !bySession.get(r.session)!.paneDead ? [r.session] : [],
  );
  const screens = await tmux.snapshotMany(liveNames);
  const views = records.map((r) =>
    viewOf(
      town,
      r,
      r.session ? bySession.get(r.session) : undefined,
      r.session ? screens.get(r.session)?.lines : undefined,
    ),
  );
  for (const s of sessions) {
    if (known.has(s.name)) continue;
    views.push({
      address: `(unknown: ${s.name})`,
      role: 'unknown',
      rig: null,
      runtime: s.currentCommand,
      session: s.name,
      state: s.paneDead ? 'dead' : 'working',
      hooked_bead: null,
      session_id: null,
      attached: s.attached,
      started_at: s.created.toISOString(),
      last_activity: s.activity.toISOString(),
      pinned: null,
      reason: null,
      last_exit: null,
      host: null,
    });
  }
  return views;
}

function viewOf(
  town: TownContext,
  r: AgentRecord & { pinned: boolean | null; host: string | null },
  live: SessionInfo | undefined,
  lines: string[] | undefined,
): AgentView {
  const pane = { live: live !== undefined && lines !== undefined, lines, paneDead: live?.paneDead };
  const dialogs = dialogRuntimeOf(town, r.runtime);
  // A session elsewhere whose screen cannot be read yet (a pod waiting for room or pulling its image) is starting.
  const waiting = live?.note !== undefined && !live.paneDead && lines === undefined;
  const state = waiting ? 'starting' : classifyState(r.state, pane, signalsOf(town, r.runtime), dialogs);
  const exit = r.session && (state === 'dead' || state === 'stopped') ? readLastExit(town, r.session) : undefined;
  return {
    address: r.address,
    role: r.role,
    rig: r.rig,
    runtime: r.runtime,
    session: r.session,
    state,
    hooked_bead: r.hooked_bead,
    session_id: r.session_id,
    attached: live?.attached ?? false,
    started_at: r.started_at,
    last_activity: live ? live.activity.toISOString() : r.last_activity,
    pinned: r.pinned,
    reason: stateReason(state, pane, dialogs, exit) ?? live?.note ?? null,
    last_exit: exit ? { runtime: exit.runtime, at: exit.at, status: exit.status, signal: exit.signal } : null,
    host: r.host,
  };
}

function dialogRuntimeOf(town: TownContext, runtime: string): string {
  try {
    return dialogRuntime(resolvePreset(runtime, town.settings.agents));
  } catch {
    return runtime;
  }
}

export function signalsOf(town: TownContext, runtime: string): ReadySignals {
  try {
    return readySignals(resolvePreset(runtime, town.settings.agents));
  } catch {
    return {};
  }
}
