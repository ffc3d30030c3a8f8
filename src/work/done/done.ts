// `gt done`: a polecat hands in its work: leftovers committed, branch in the bare repo, merge request queued (once).
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { GtError, messageOf, usageError, TOWN_EVENTS } from '../../kernel/index.ts';
import { commitWorkTree, countCommits, headBranch, revParse, setRef } from '../../git/index.ts';
import { closeBeads, getBead, updateBead, type Bead, type Store } from '../../beads/index.ts';
import {
  formatAddress,
  loadRig,
  openTownStore,
  parseAddress,
  recordTownEvent,
  type TownContext,
} from '../../town/index.ts';
import { getPolecat, updatePolecat, type Polecat } from '../polecats/index.ts';
import { identityOf, stopAgent } from '../sessions/index.ts';
import { sendMail } from '../mail/index.ts';
import { drainSlingQueue, mergeModeOf, type SlingOutcome } from '../sling/index.ts';

export const DONE_STATUSES = ['completed', 'escalated', 'deferred'] as const;
export type DoneStatus = (typeof DONE_STATUSES)[number];

export interface DoneOptions {
  status?: DoneStatus;
  note?: string;
  /** Stop the polecat's session afterwards (default: settings `polecats.stop_after_done`, else keep it). */
  stopSession?: boolean;
  /**
   * The work was pushed to the rig's bare repository from a workspace elsewhere (a remote polecat): the branch there
   * must point at `head`; the town's worktree, if any, is not used.
   */
  pushed?: { head: string; committedLeftovers: boolean };
}

/**
 * What `gt done` asks of the merge queue. src/refinery sits above work (it slings rework and frees polecats), so the
 * caller passes it in: `mergeQueue` of src/refinery.
 */
export interface DoneQueue {
  /** Enqueue idempotently inside the caller's write: UNIQUE(rig, bead, head). */
  enqueue(
    store: Store,
    input: { rig: string; bead: string; polecat: string; branch: string; head: string; priority: number },
  ): {
    mr: { id: string; status: string };
    created: boolean;
    superseded: string[];
  };
  /** Run one batch of the rig's queue now (a direct request is first); what happened to each request. */
  landNow(town: TownContext, rig: string): Promise<{ outcomes: readonly { mr: string; status: string }[] }>;
}

export type DoneOutcome =
  | 'enqueued'
  | 'already-enqueued'
  | 'landed'
  | 'left-on-branch'
  | 'no-changes'
  | 'already-closed'
  | 'nothing-hooked'
  | 'escalated'
  | 'deferred';

export interface DoneResult {
  address: string;
  rig: string;
  polecat: string;
  /** Null when the hook was empty (a repeated `gt done` after the bead was closed "no changes"). */
  bead: string | null;
  status: DoneStatus;
  outcome: DoneOutcome;
  branch: string;
  head: string | null;
  /** True when uncommitted files were committed by this call. */
  committed_leftovers: boolean;
  /** Commits on the branch that the default branch lacks. */
  commits: number;
  mr: string | null;
  mr_status: string | null;
  session_stopped: boolean;
  /** Queued slings that got the slot this polecat freed (docs/work-loop.md: drained by each sling and done). */
  drained: SlingOutcome[];
  /** Why draining the sling queue failed (the hand-in itself stands; the daemon drains it on its next tick). */
  drain_error?: string;
}

export function parseDoneStatus(s: string): DoneStatus {
  const v = s.trim().toLowerCase();
  if ((DONE_STATUSES as readonly string[]).includes(v)) return v as DoneStatus;
  throw usageError('GT_BAD_STATUS', `invalid done status "${s}"`, `use one of: ${DONE_STATUSES.join(', ')}`);
}

/** The polecat address for `gt done`: GT_ADDRESS when set, else from a directory inside `<rig>/polecats/<name>`. */
export function doneAddress(town: TownContext, cwd: string, env: NodeJS.ProcessEnv = town.env): string {
  if (env.GT_ADDRESS) return env.GT_ADDRESS;
  const parts = relative(town.root, cwd).split(sep);
  if (parts.length >= 3 && parts[1] === 'polecats' && parts[0] && parts[2] && !parts[0].startsWith('..'))
    return `${parts[0]}/${parts[2]}`;
  throw usageError(
    'GT_NOT_A_POLECAT',
    `cannot tell which polecat is done: GT_ADDRESS is not set and ${cwd} is not inside <rig>/polecats/<name>`,
    "run gt done inside the polecat's worktree, or set GT_ADDRESS=<rig>/<polecat>",
  );
}

function requirePolecat(
  store: Store,
  town: TownContext,
  address: string,
  remote = false,
): { p: Polecat; bead: Bead | undefined } {
  const a = parseAddress(town, address);
  if (a.kind !== 'polecat') {
    throw usageError(
      'GT_NOT_A_POLECAT',
      `"${formatAddress(a)}" is not a polecat; gt done is how a polecat hands in its hooked work`,
      'crew and the Mayor commit and push themselves',
    );
  }
  const p = getPolecat(store, a.rig, a.name);
  if (!p)
    throw new GtError('GT_NO_POLECAT', `rig "${a.rig}" has no polecat named "${a.name}"`, {
      kind: 'usage',
      hint: `see the rig's polecats with gt polecat list`,
    });
  if (!p.bead) return { p, bead: undefined };
  const bead = getBead(store.db, p.bead);
  if (!bead)
    throw new GtError('GT_NO_BEAD', `${address} is hooked to ${p.bead}, which is not in the town store`, {
      hint: 'run gt hooks repair to put the hook right',
    });
  if (!remote && !existsSync(p.worktree)) {
    throw new GtError('GT_NO_WORKTREE', `the worktree of ${address} is missing (${p.worktree})`, {
      hint: 'run gt hooks repair to restore it from its branch or latest snapshot',
    });
  }
  return { p, bead };
}

/** Commit what is left in the worktree with the polecat's git identity; true when there was something. */
function commitLeftovers(
  town: TownContext,
  p: Polecat,
  bead: Bead,
  status: DoneStatus,
  note: string | undefined,
): boolean {
  const who = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name }).git;
  const subject =
    status === 'completed' ? `${bead.title} (${bead.id})` : `WIP ${bead.id}: ${status}${note ? `: ${note}` : ''}`;
  return commitWorkTree(p.worktree, [subject, ...(note && status === 'completed' ? [note] : [])], who);
}

/** Make sure the polecat's branch in the bare repo points at HEAD (the worktree shares the repo, so this is the push). */
function pushBranch(p: Polecat, branch: string): string {
  const head = revParse(p.worktree, 'HEAD');
  if (!head)
    throw new GtError('GT_NO_COMMITS', `${p.rig}/${p.name} has no commit on ${branch} in ${p.worktree}`, {
      hint: 'commit the work first, then run gt done again',
    });
  if (revParse(p.worktree, `refs/heads/${branch}`) !== head)
    setRef(p.worktree, `refs/heads/${branch}`, head, { why: 'gt done' });
  return head;
}

/** The pushed branch in the bare repo, which must be where the pusher says (else the push did not land). */
function pushedHead(repo: string, branch: string, head: string): string {
  const ref = revParse(repo, `refs/heads/${branch}`) ?? '';
  if (ref === '' || ref !== revParse(repo, head)) {
    throw new GtError(
      'GT_NOT_PUSHED',
      `${branch} in the rig's repository is at ${ref ? ref.slice(0, 12) : 'nothing'}, not at the pushed ${head.slice(0, 12)}`,
      {
        hint: 'push the branch to the town (gt done does it when GT_TOWN_URL is set), then run gt done again',
      },
    );
  }
  return ref;
}

/**
 * Hand in the polecat's hooked work. `completed`: commit leftovers, point the branch at them, enqueue a merge
 * request (idempotent: UNIQUE(rig, bead, head)), bead → in_progress, polecat idle; no commits beyond the default
 * branch closes the bead "no changes". `escalated` / `deferred`: no merge request; a note on the bead (and mail to
 * the Mayor when escalated). Safe to run again after a crash at any point.
 */
export async function done(
  town: TownContext,
  address: string,
  queue: DoneQueue,
  opts: DoneOptions = {},
): Promise<DoneResult> {
  const r = await handIn(town, address, queue, opts);
  if (r.outcome === 'nothing-hooked' || r.outcome === 'already-closed') return { ...r, drained: [] };
  // The polecat is idle now: its slot goes to the oldest queued sling that fits under the caps.
  try {
    return { ...r, drained: await drainSlingQueue(town) };
  } catch (e) {
    return { ...r, drained: [], drain_error: messageOf(e) };
  }
}

async function handIn(
  town: TownContext,
  address: string,
  queue: DoneQueue,
  opts: DoneOptions,
): Promise<Omit<DoneResult, 'drained'>> {
  const status = opts.status ?? 'completed';
  const store = openTownStore(town, { actor: address });
  try {
    const { p, bead } = requirePolecat(store, town, address, opts.pushed !== undefined);
    if (!bead) {
      return {
        address,
        rig: p.rig,
        polecat: p.name,
        bead: null,
        status,
        outcome: 'nothing-hooked',
        branch: p.branch ?? '',
        head: null,
        committed_leftovers: false,
        commits: 0,
        mr: null,
        mr_status: null,
        session_stopped: false,
      };
    }
    const cfg = loadRig(town, p.rig);
    const branch = p.branch ?? (opts.pushed ? '' : (headBranch(p.worktree) ?? ''));
    if (!branch)
      throw new GtError('GT_NO_BRANCH', `${address} has no work branch (HEAD is detached in ${p.worktree})`, {
        hint: 'run gt hooks repair',
      });
    const base: Omit<
      DoneResult,
      'outcome' | 'head' | 'committed_leftovers' | 'commits' | 'mr' | 'mr_status' | 'session_stopped' | 'drained'
    > = {
      address,
      rig: p.rig,
      polecat: p.name,
      bead: bead.id,
      status,
      branch,
    };
    if (bead.status === 'closed') {
      return {
        ...base,
        outcome: 'already-closed',
        head: null,
        committed_leftovers: false,
        commits: 0,
        mr: null,
        mr_status: null,
        session_stopped: false,
      };
    }
    const committed = opts.pushed ? opts.pushed.committedLeftovers : commitLeftovers(town, p, bead, status, opts.note);
    const head = opts.pushed ? pushedHead(town.paths.repo(p.rig), branch, opts.pushed.head) : pushBranch(p, branch);
    const repo = opts.pushed ? town.paths.repo(p.rig) : p.worktree;
    const commits = countCommits(repo, [head], [`refs/heads/${cfg.default_branch}`]);
    let outcome: DoneOutcome;
    let mr: { id: string; status: string } | null = null;
    if (status === 'completed' && commits === 0) {
      outcome = 'no-changes';
      store.write(() => {
        closeBeads(store, [bead.id], 'no changes');
        updatePolecat(store, p.rig, p.name, { state: 'idle', hook_state: 'archived', bead: null });
        recordTownEvent(store, {
          actor: address,
          kind: TOWN_EVENTS.done.noChanges,
          subject: bead.id,
          reason: `no commits beyond ${cfg.default_branch}`,
          data: { branch, head },
        });
      });
    } else if (status === 'completed' && mergeModeOf(bead, cfg.merge_strategy) === 'local') {
      outcome = 'left-on-branch';
      store.write(() => {
        closeBeads(
          store,
          [bead.id],
          `done; left on branch ${branch} at ${head.slice(0, 12)} (merge mode local): merge it yourself`,
        );
        if (opts.note) updateBead(store, bead.id, { appendNotes: `Done (${address}): ${opts.note}` });
        // Not reusable while the branch holds commits that are not on the default branch: gc keeps the worktree.
        updatePolecat(store, p.rig, p.name, { state: 'idle', hook_state: 'completed', bead: null });
        recordTownEvent(store, {
          actor: address,
          kind: TOWN_EVENTS.done.local,
          subject: bead.id,
          reason: `left on ${branch} (merge mode local)`,
          data: { branch, head, commits },
        });
      });
    } else if (status === 'completed') {
      const direct = mergeModeOf(bead, cfg.merge_strategy) === 'direct';
      const r = store.write(() => {
        // Direct: first in the queue, and the refinery lands it without gates (below, right away when it can).
        const q = queue.enqueue(store, {
          rig: p.rig,
          bead: bead.id,
          polecat: p.name,
          branch,
          head,
          priority: direct ? 0 : bead.priority,
        });
        if (bead.status !== 'in_progress') updateBead(store, bead.id, { status: 'in_progress' });
        if (opts.note) updateBead(store, bead.id, { appendNotes: `Done (${address}): ${opts.note}` });
        updatePolecat(store, p.rig, p.name, { state: 'idle', hook_state: 'completed' });
        if (q.created)
          recordTownEvent(store, {
            actor: address,
            kind: TOWN_EVENTS.done.completed,
            subject: bead.id,
            reason: `merge request ${q.mr.id} queued`,
            data: { mr: q.mr.id, branch, head, commits, superseded: q.superseded },
          });
        return q;
      });
      outcome = r.created ? 'enqueued' : 'already-enqueued';
      mr = { id: r.mr.id, status: r.mr.status };
      if (direct && r.mr.status === 'queued') {
        const landed = await landDirect(town, queue, p.rig, r.mr.id);
        if (landed) {
          outcome = 'landed';
          mr = { id: r.mr.id, status: landed };
        }
      }
    } else {
      outcome = status;
      store.write(() => {
        updateBead(store, bead.id, {
          appendNotes: `${status === 'escalated' ? 'Escalated' : 'Deferred'} by ${address}${opts.note ? `: ${opts.note}` : ''}`,
          ...(status === 'deferred' ? { status: 'deferred' as const } : {}),
        });
        updatePolecat(store, p.rig, p.name, { state: 'idle', hook_state: 'suspended' });
        recordTownEvent(store, {
          actor: address,
          kind: TOWN_EVENTS.done[status],
          subject: bead.id,
          reason: opts.note ?? status,
          data: { branch, head },
        });
      });
      if (status === 'escalated') {
        await sendMail(town, {
          from: { kind: 'polecat', rig: p.rig, name: p.name },
          to: { kind: 'mayor' },
          type: 'escalation',
          priority: 1,
          subject: `Escalation: ${bead.id} ${bead.title}`.slice(0, 200),
          body: `${address} escalated ${bead.id} ("${bead.title}").\n\n${opts.note ?? '(no note)'}\n\nBranch ${branch} at ${head} holds the work so far.`,
        });
      }
    }
    const stop = opts.stopSession ?? town.settings.polecats?.stop_after_done ?? false;
    let stopped = false;
    if (stop) {
      stopped = (await stopAgent(town, identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name }))).stopped;
      updatePolecat(store, p.rig, p.name, { state: 'stopped' });
    }
    return {
      ...base,
      outcome,
      head,
      committed_leftovers: committed,
      commits,
      mr: mr?.id ?? null,
      mr_status: mr?.status ?? null,
      session_stopped: stopped,
    };
  } finally {
    store.close();
  }
}

/** Land a direct request now (one batch of the rig's queue, which starts with it); the daemon does it if the refinery is busy. */
async function landDirect(town: TownContext, queue: DoneQueue, rig: string, mrId: string): Promise<string | undefined> {
  const r = await queue.landNow(town, rig);
  return r.outcomes.find((o) => o.mr === mrId && o.status === 'merged') ? 'merged' : undefined;
}
