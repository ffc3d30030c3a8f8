// `gt status`: the whole town at a glance, read from the store, tmux and the daemon's files. Problems are the
// things a person should look at: stuck or dead agents, failed merges, failing daemon steps, no daemon.
import { rigNames, loadRig, type TownContext } from '../town/index.ts';
import { listAgents, withStore } from '../work/sessions/index.ts';
import { recentEvents, type TownEvent } from './events.ts';
import { daemonStatus, type DaemonStatus } from './lifecycle.ts';
import { budgetStateIn } from '../costs/budgets.ts';

export interface RigStatus {
  name: string;
  prefix: string;
  polecats: { total: number; working: number; idle: number };
  queue: { queued: number; running: number; failed: number; merged: number };
}

export interface ConvoyProgress {
  id: string;
  title: string;
  status: string;
  total: number;
  landed: number;
}

export interface Problem {
  kind: 'daemon-not-running' | 'agent-stuck' | 'agent-dead' | 'merge-failed' | 'daemon-step-failed' | 'over-budget';
  subject: string;
  message: string;
}

export interface TownStatus {
  town: { name: string; root: string };
  checked_at: string;
  daemon: DaemonStatus;
  rigs: RigStatus[];
  agents: { total: number; by_state: Record<string, number>; list: { address: string; role: string; state: string; runtime: string; hooked_bead: string | null }[] };
  convoys: ConvoyProgress[];
  problems: Problem[];
  events: TownEvent[];
}

/** Failed daemon steps younger than this count as a current problem. */
const RECENT_ERROR_MS = 5 * 60_000;

export async function townStatus(town: TownContext, opts: { events?: number } = {}): Promise<TownStatus> {
  const agents = (await listAgents(town)).filter((a) => a.state !== 'stopped');
  const by_state: Record<string, number> = {};
  for (const a of agents) by_state[a.state] = (by_state[a.state] ?? 0) + 1;
  const daemon = daemonStatus(town);
  const rigs = rigNames(town);
  const data = withStore(town, (s) => {
    const polecats = s.db.all<{ rig: string; state: string; n: number }>('SELECT rig, state, COUNT(*) AS n FROM polecats GROUP BY rig, state');
    const mrs = s.db.all<{ rig: string; status: string; n: number }>('SELECT rig, status, COUNT(*) AS n FROM merge_requests GROUP BY rig, status');
    const failed = s.db.all<{ id: string; rig: string; bead: string; failure: string | null }>(
      "SELECT id, rig, bead, failure FROM merge_requests WHERE status = 'failed' AND rework_bead IS NULL ORDER BY updated_at DESC LIMIT 10",
    );
    const convoys = s.db.all<ConvoyProgress>(
      `SELECT c.id, c.title, c.status, COUNT(d.depends_on_id) AS total, COALESCE(SUM(t.status = 'closed'), 0) AS landed
       FROM issues c LEFT JOIN deps d ON d.issue_id = c.id AND d.type = 'tracks' LEFT JOIN issues t ON t.id = d.depends_on_id
       WHERE c.type = 'convoy' AND c.deleted_at IS NULL AND c.status != 'closed' GROUP BY c.id ORDER BY c.created_at`,
    );
    const errors = s.db.all<{ subject: string; reason: string }>(
      "SELECT subject, reason, MAX(id) AS last FROM town_events WHERE kind = 'daemon.error' AND at >= ? GROUP BY subject ORDER BY last DESC",
      new Date(Date.now() - RECENT_ERROR_MS).toISOString(),
    );
    return { polecats, mrs, failed, convoys, errors, budgets: budgetStateIn(s, town).verdict.breaches, events: recentEvents(s, opts.events ?? 8) };
  });
  const count = <T extends { rig: string; n: number }>(rows: T[], rig: string, pick: (r: T) => boolean): number => rows.filter((r) => r.rig === rig && pick(r)).reduce((a, r) => a + r.n, 0);
  const problems: Problem[] = [];
  if (!daemon.running) problems.push({ kind: 'daemon-not-running', subject: 'daemon', message: `the daemon is not running: nothing restarts dead agents or lands merges (start it: gt daemon start)${daemon.stale_pid_file ? '; it left a stale pid file' : ''}` });
  for (const a of agents) {
    if (a.state === 'stuck') problems.push({ kind: 'agent-stuck', subject: a.address, message: `${a.address} is stuck${a.hooked_bead ? ` with ${a.hooked_bead} on its hook` : ''} (look: gt peek ${a.address})` });
    if (a.state === 'dead') problems.push({ kind: 'agent-dead', subject: a.address, message: `${a.address} has no live session${a.hooked_bead ? ` but ${a.hooked_bead} is on its hook` : ''}` });
  }
  for (const m of data.failed) problems.push({ kind: 'merge-failed', subject: m.id, message: `merge request ${m.id} (${m.rig}, ${m.bead}) failed${m.failure ? `: ${m.failure.split('\n')[0]}` : ''}` });
  for (const b of data.budgets) problems.push({ kind: 'over-budget', subject: b.subject, message: `${b.message}: no new work is slung under it (gt costs)` });
  for (const e of data.errors) problems.push({ kind: 'daemon-step-failed', subject: e.subject, message: `daemon step ${e.subject} failed: ${e.reason}` });
  return {
    town: { name: town.meta.name, root: town.root },
    checked_at: new Date().toISOString(),
    daemon,
    rigs: rigs.map((name) => ({
      name,
      prefix: safePrefix(town, name),
      polecats: { total: count(data.polecats, name, () => true), working: count(data.polecats, name, (r) => r.state === 'working'), idle: count(data.polecats, name, (r) => r.state === 'idle') },
      queue: { queued: count(data.mrs, name, (r) => r.status === 'queued'), running: count(data.mrs, name, (r) => r.status === 'running'), failed: count(data.mrs, name, (r) => r.status === 'failed'), merged: count(data.mrs, name, (r) => r.status === 'merged') },
    })),
    agents: { total: agents.length, by_state, list: agents.map((a) => ({ address: a.address, role: a.role, state: a.state, runtime: a.runtime, hooked_bead: a.hooked_bead })) },
    convoys: data.convoys.map((c) => ({ ...c, total: Number(c.total), landed: Number(c.landed) })),
    problems,
    events: data.events,
  };
}

function safePrefix(town: TownContext, rig: string): string {
  try {
    return loadRig(town, rig).prefix;
  } catch {
    return '?';
  }
}
