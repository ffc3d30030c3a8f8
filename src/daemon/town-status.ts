// `gt status`: the whole town at a glance, read from the store, tmux and the daemon's files. Problems are the
// things a person should look at: stuck or dead agents, failed merges, failing daemon steps, no daemon.
import { TOWN_EVENTS } from '../kernel/index.ts';
import { latestBySubject, rigNames, loadRig, type TownContext } from '../town/index.ts';
import { trackerProgress } from '../beads/index.ts';
import { listAgents, withStore } from '../work/sessions/index.ts';
import { recentEvents, type TownEvent } from './events.ts';
import { daemonStatus, type DaemonStatus } from './lifecycle.ts';
import { budgetStateIn } from '../costs/budgets.ts';
import { revParse } from '../git/index.ts';
import { readRefineryState, type Delivered } from '../refinery/state.ts';
import { listPrs } from '../refinery/pr-store.ts';
import { listEscalations } from '../work/escalations.ts';
import { polecatCounts } from '../work/polecats/index.ts';
import { mrCounts, unansweredFailures } from '../work/merge-requests.ts';

export interface RigStatus {
  name: string;
  prefix: string;
  polecats: { total: number; working: number; idle: number };
  queue: { queued: number; running: number; failed: number; merged: number };
  /** Where the rig's landed work is: always in the rig's repository; `delivered` says where in the user's. */
  landed: LandedWork;
  /** Pull requests the refinery follows for this rig (merge strategy pr), with what each waits for. */
  pull_requests: { number: number; url: string; state: string; detail: string | null; mr: string }[];
}

export interface LandedWork {
  /** The rig's own repository (`<rig>/.repo.git`) and its default branch's tip. */
  repo: string;
  branch: string;
  commit: string | null;
  /** The last delivery to the repository the rig came from (its branch, or `gt/<branch>` with the reason). */
  delivered: Delivered | null;
  /** True when the rig's tip is not yet in the repository it came from (a failed or pending delivery). */
  only_in_rig: boolean;
  /** Why it is only in the rig, when it is. */
  reason: string | null;
}

export interface ConvoyProgress {
  id: string;
  title: string;
  status: string;
  total: number;
  landed: number;
}

export interface Problem {
  kind:
    | 'daemon-not-running'
    | 'escalation-open'
    | 'agent-stuck'
    | 'agent-dead'
    | 'merge-failed'
    | 'merge-blocked'
    | 'work-not-delivered'
    | 'daemon-step-failed'
    | 'over-budget';
  subject: string;
  message: string;
}

export interface TownStatus {
  town: { name: string; root: string };
  checked_at: string;
  daemon: DaemonStatus;
  rigs: RigStatus[];
  agents: {
    total: number;
    by_state: Record<string, number>;
    list: {
      address: string;
      role: string;
      state: string;
      runtime: string;
      hooked_bead: string | null;
      host: string | null;
    }[];
  };
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
    const polecats = polecatCounts(s);
    const mrs = mrCounts(s);
    const failed = unansweredFailures(s, 10);
    const convoys: ConvoyProgress[] = trackerProgress(s, 'convoy');
    const errors = latestBySubject(s, {
      kind: TOWN_EVENTS.daemon.error,
      since: new Date(Date.now() - RECENT_ERROR_MS).toISOString(),
    }).map((e) => ({ subject: e.subject!, reason: e.reason ?? '' }));
    const prs = rigs.flatMap((rig) => listPrs(s, rig, ['open', 'rework', 'auto-merge', 'queued']));
    return {
      polecats,
      mrs,
      failed,
      convoys,
      errors,
      prs,
      budgets: budgetStateIn(s, town).verdict.breaches,
      events: recentEvents(s, opts.events ?? 8),
    };
  });
  const count = <T extends { rig: string; n: number }>(rows: T[], rig: string, pick: (r: T) => boolean): number =>
    rows.filter((r) => r.rig === rig && pick(r)).reduce((a, r) => a + r.n, 0);
  const problems: Problem[] = [];
  if (!daemon.running)
    problems.push({
      kind: 'daemon-not-running',
      subject: 'daemon',
      message: `the daemon is not running: nothing restarts dead agents or lands merges (start it: gt daemon start)${daemon.stale_pid_file ? '; it left a stale pid file' : ''}`,
    });
  for (const a of agents) {
    if (a.state === 'stuck')
      problems.push({
        kind: 'agent-stuck',
        subject: a.address,
        message: `${a.address} is stuck${a.hooked_bead ? ` with ${a.hooked_bead} on its hook` : ''} (look: gt peek ${a.address})`,
      });
    if (a.state === 'dead')
      problems.push({
        kind: 'agent-dead',
        subject: a.address,
        message: `${a.address} has no live session${a.hooked_bead ? ` but ${a.hooked_bead} is on its hook` : ''}`,
      });
  }
  for (const m of data.failed)
    problems.push({
      kind: 'merge-failed',
      subject: m.id,
      message: `merge request ${m.id} (${m.rig}, ${m.bead}) failed${m.failure ? `: ${m.failure.split('\n')[0]}` : ''}`,
    });
  for (const b of data.budgets)
    problems.push({
      kind: 'over-budget',
      subject: b.subject,
      message: `${b.message}: no new work is slung under it (gt costs)`,
    });
  for (const e of listEscalations(town)) {
    const state = e.acked
      ? `acknowledged by ${e.acked.by}`
      : e.hook_suspended
        ? `its hook is suspended: gt escalate ack ${e.id} or close ${e.id} -r "<decision>"`
        : `gt escalate show ${e.id}`;
    problems.push({
      kind: 'escalation-open',
      subject: e.id,
      message: `escalation ${e.id} (${e.severity}) from ${e.from ?? '?'}${e.about ? ` about ${e.about}` : ''}: ${e.title} (${state})`,
    });
  }
  for (const e of data.errors)
    problems.push({
      kind: 'daemon-step-failed',
      subject: e.subject,
      message: `daemon step ${e.subject} failed: ${e.reason}`,
    });
  const landed = new Map(rigs.map((name) => [name, landedWork(town, name)]));
  for (const name of rigs) {
    const st = readRefineryState(town, name);
    if (st.blocked)
      problems.push({ kind: 'merge-blocked', subject: name, message: `${st.blocked.message} (${st.blocked.hint})` });
    const l = landed.get(name)!;
    if (l.only_in_rig && st.undelivered) {
      problems.push({
        kind: 'work-not-delivered',
        subject: name,
        message: `landed work of rig ${name} up to ${st.undelivered.commit.slice(0, 12)} is only in ${l.repo}: ${st.undelivered.reason} (it is retried on every refinery run)`,
      });
    }
  }
  return {
    town: { name: town.meta.name, root: town.root },
    checked_at: new Date().toISOString(),
    daemon,
    rigs: rigs.map((name) => ({
      name,
      prefix: safePrefix(town, name),
      polecats: {
        total: count(data.polecats, name, () => true),
        working: count(data.polecats, name, (r) => r.state === 'working'),
        idle: count(data.polecats, name, (r) => r.state === 'idle'),
      },
      queue: {
        queued: count(data.mrs, name, (r) => r.status === 'queued'),
        running: count(data.mrs, name, (r) => r.status === 'running'),
        failed: count(data.mrs, name, (r) => r.status === 'failed'),
        merged: count(data.mrs, name, (r) => r.status === 'merged'),
      },
      landed: landed.get(name)!,
      pull_requests: data.prs
        .filter((p) => p.rig === name)
        .map((p) => ({ number: p.number, url: p.url, state: p.state, detail: p.detail, mr: p.mr })),
    })),
    agents: {
      total: agents.length,
      by_state,
      list: agents.map((a) => ({
        address: a.address,
        role: a.role,
        state: a.state,
        runtime: a.runtime,
        hooked_bead: a.hooked_bead,
        host: a.host,
      })),
    },
    convoys: data.convoys.map((c) => ({ ...c, total: Number(c.total), landed: Number(c.landed) })),
    problems,
    events: data.events,
  };
}

/** Where a rig's landed work is, from the refinery's state and one look at the rig's branch. */
function landedWork(town: TownContext, rig: string): LandedWork {
  const repo = town.paths.repo(rig);
  let branch = 'main';
  try {
    branch = loadRig(town, rig).default_branch;
  } catch {
    // a broken rig.json is reported elsewhere
  }
  const commit = revParse(repo, `refs/heads/${branch}`) ?? null;
  const st = readRefineryState(town, rig);
  const delivered = st.delivered ?? null;
  return { repo, branch, commit, delivered, only_in_rig: !!st.undelivered, reason: st.undelivered?.reason ?? null };
}

function safePrefix(town: TownContext, rig: string): string {
  try {
    return loadRig(town, rig).prefix;
  } catch {
    return '?';
  }
}
