// The merge loop of one rig: recover from a killed run, then take the queue in plan order, batch by batch.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GtError, isGtError, messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { tryAcquire, breakIfStale, lockPath, type LockHandle } from '../agents/session-lock.ts';
import { getBead, type Store } from '../beads/index.ts';
import { loadRig, openTownStore, type RigConfig, type TownContext } from '../town/index.ts';
import {
  advanceBranch,
  canReplayInMemory,
  checkoutForGates,
  deleteMergedBranch,
  deliverToClone,
  deliveryTarget,
  isAncestor,
  listWorktreesOf,
  parkWorktree,
  replayOnto,
  pushAndVerify,
  rebaseOnto,
  resetWorktree,
  resyncFromOrigin,
  revParse,
  syncFromOrigin,
  type Committer,
  type DeliveryTarget,
} from './git-ops.ts';
import { readRefineryState, updateRefineryState, type Delivered, type RefineryState } from './state.ts';
import { runGates } from './gates.ts';
import { completeMerged } from './land.ts';
import { listMrs, mergeModeOf, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { hasPullRequest, pullsDue, runPullRequests, type PrOutcome } from './pr.ts';
import { bisectLand, planBatch, type TryOutcome } from './plan.ts';
import { recordFailure, slingRework, type MergeFailure } from './rework.ts';

/** A request found `running` this many times after the refinery died is failed instead of retried forever. */
export const MAX_ATTEMPTS = 3;

export interface ProcessOptions {
  /** Requests per batch (default: rig.json `merge_queue.batch`, else 1 = one at a time). */
  batch?: number;
  /** Sling rework beads to a polecat (default true); false leaves them open and ready. */
  sling?: boolean;
  /** Stop after this many batches (default: until the queue is empty). */
  maxBatches?: number;
  now?: () => Date;
  /** Told of each outcome as it happens (for progress output). */
  onOutcome?: (o: MergeOutcome) => void;
  /**
   * Also deliver the rig's default branch when the repository it came from may lack it, even with nothing queued
   * (`gt refinery run`: work landed before delivery existed, or a delivery target that changed). The daemon leaves
   * it off and relies on the state file, to keep its idle ticks free of git.
   */
  catchUp?: boolean;
}

export type MergeOutcome =
  | { mr: string; bead: string; status: 'merged'; commit: string; branch_deleted: boolean; branch_note?: string }
  | { mr: string; bead: string; status: 'recovered-merged'; commit: string }
  | { mr: string; bead: string; status: 'requeued'; reason: string }
  | { mr: string; bead: string; status: 'conflict'; files: string[]; rework_bead: string; slung: string; note?: string }
  | {
      mr: string;
      bead: string;
      status: 'gate-failed' | 'gate-timeout';
      gate: string;
      output: string;
      rework_bead: string;
      slung: string;
      note?: string;
    }
  | { mr: string; bead: string; status: 'error'; reason: string }
  | PrOutcome;

export interface ProcessResult {
  rig: string;
  /**
   * `busy`: another process holds the rig's merge lock; `unsupported`: the rig's merge strategy is not handled;
   * `blocked`: the queue is stopped until someone acts (origin was rewritten), `message` and `hint` say why and how.
   */
  status: 'done' | 'busy' | 'unsupported' | 'blocked';
  message?: string;
  hint?: string;
  /** Where the rig's landed work is now in the repository it came from (after this run's delivery). */
  delivered?: Delivered;
  /** Landed work that is only in the rig's own repository: the delivery failed, with the reason. */
  undelivered?: RefineryState['undelivered'];
  outcomes: MergeOutcome[];
  /** Times the gates ran (a batch that passes runs them once for all its requests). */
  gate_runs: number;
  batches: number;
  ms: number;
}

interface Run {
  town: TownContext;
  rig: RigConfig;
  store: Store;
  repo: string;
  wt: string;
  who: Committer;
  actor: string;
  target: DeliveryTarget | undefined;
  sling: boolean;
  outcomes: MergeOutcome[];
  gateRuns: number;
  emit(o: MergeOutcome): void;
}

/** The lock that keeps two processes from merging the same rig at once. */
export function refineryLockPath(town: TownContext, rig: string): string {
  return lockPath(town.paths.runtime, `refinery-${rig}`);
}

function takeLock(path: string): LockHandle | undefined {
  mkdirSync(dirname(path), { recursive: true });
  // Gates may run for hours: only a dead holder is broken, never a slow one.
  breakIfStale(path, 7 * 24 * 3600_000);
  return tryAcquire(path);
}

/** Process the rig's merge queue until it is empty (or `maxBatches` batches ran). Crash-safe; one process per rig. */
export async function processQueue(
  town: TownContext,
  rigName: string,
  opts: ProcessOptions = {},
): Promise<ProcessResult> {
  const started = Date.now();
  const rig = loadRig(town, rigName);
  const result = (status: ProcessResult['status'], r?: Run, message?: string, hint?: string): ProcessResult => {
    const st = r ? readRefineryState(town, rigName) : {};
    return {
      rig: rigName,
      status,
      ...(message ? { message } : {}),
      ...(hint ? { hint } : {}),
      outcomes: r?.outcomes ?? [],
      gate_runs: r?.gateRuns ?? 0,
      batches,
      ms: Date.now() - started,
      ...(st.delivered ? { delivered: st.delivered } : {}),
      ...(st.undelivered ? { undelivered: st.undelivered } : {}),
    };
  };
  let batches = 0;
  if (!opts.catchUp && !hasWork(town, rig)) return result('done');
  const lock = takeLock(refineryLockPath(town, rigName));
  if (!lock)
    return result(
      'busy',
      undefined,
      `another process is merging rig "${rigName}" (lock ${refineryLockPath(town, rigName)})`,
    );
  const actor = `${rigName}/refinery`;
  const store = openTownStore(town, { actor });
  const repo = town.paths.repo(rigName);
  const run: Run = {
    town,
    rig,
    store,
    repo,
    wt: town.paths.refinery(rigName),
    who: { name: actor, email: `${rigName}.refinery@gastown.local` },
    actor,
    target: deliveryTarget(repo, rig.merge_queue?.push ?? 'auto'),
    sling: opts.sling ?? true,
    outcomes: [],
    gateRuns: 0,
    emit(o) {
      this.outcomes.push(o);
      opts.onOutcome?.(o);
    },
  };
  try {
    resetWorktree(run.wt, rig.default_branch);
    recover(run);
    if (run.target) {
      const blocked = syncOrigin(run);
      if (blocked) return result('blocked', run, blocked.message, blocked.hint);
    }
    const tip = revParse(repo, `refs/heads/${rig.default_branch}`)!;
    const known = readRefineryState(town, rigName);
    // A rig that lands through pull requests never pushes its default branch: GitHub moves origin's, the rig follows.
    if (rig.merge_strategy !== 'pr' && (known.undelivered || (opts.catchUp && known.delivered?.commit !== tip)))
      deliver(run, tip);
    const viaPr = (mr: MergeRequest): boolean => mergeModeOf(getBead(store.db, mr.bead), rig.merge_strategy) === 'pr';
    const prs = await runPullRequests(
      {
        town,
        rig,
        store,
        repo,
        wt: run.wt,
        actor,
        sling: run.sling,
        pollNow: !!opts.catchUp,
        emit: (o) => run.emit(o),
      },
      listMrs(store, { rig: rigName, status: ['queued'] }).filter(viaPr),
    );
    if (prs.blocked) {
      // A rig that lands only through PRs stops here; in a rig that also lands locally, the queue goes on and each
      // request slung with --merge pr says why it waits.
      if (rig.merge_strategy === 'pr') return result('blocked', run, prs.blocked.message, prs.blocked.hint);
      for (const mr of listMrs(store, { rig: rigName, status: ['queued'] }).filter(viaPr))
        run.emit({ mr: mr.id, bead: mr.bead, status: 'error', reason: `${prs.blocked.message} (${prs.blocked.hint})` });
    }
    const size = opts.batch ?? rig.merge_queue?.batch ?? 1;
    for (;;) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) break;
      const queued = listMrs(store, { rig: rigName, status: ['queued'] }).filter((mr) => !viaPr(mr));
      if (queued.length === 0) break;
      batches++;
      const stop = await landBatch(run, planBatch(queued, size, (opts.now ?? (() => new Date()))()));
      if (stop) return result('done', run, stop);
    }
    return result('done', run);
  } finally {
    try {
      parkWorktree(run.wt, rig.default_branch);
    } catch {
      // the worktree is reset at the start of every run anyway
    }
    store.close();
    lock.release();
  }
}

/** A cheap look before any git work: the daemon calls processQueue every tick, mostly with nothing to do. */
function hasWork(town: TownContext, rig: RigConfig): boolean {
  const st = readRefineryState(town, rig.name);
  if (st.undelivered || st.blocked) return true;
  const store = openTownStore(town);
  try {
    if (
      listMrs(store, { rig: rig.name, status: ['queued', 'running'] }).some(
        (mr) => mr.status === 'queued' || !hasPullRequest(store, mr.id),
      )
    )
      return true;
    return pullsDue(store, rig);
  } finally {
    store.close();
  }
}

/** Requests left `running` by a killed refinery: landed already → finish the bookkeeping; else back to the queue. */
function recover(r: Run): void {
  const main = `refs/heads/${r.rig.default_branch}`;
  for (const mr of listMrs(r.store, { rig: r.rig.name, status: ['running'] })) {
    if (hasPullRequest(r.store, mr.id)) continue; // followed on GitHub, not an interrupted local merge
    const landed = [mr.merge_commit, mr.head].find(
      (c): c is string => !!c && !!revParse(r.repo, c) && isAncestor(r.repo, c, main),
    );
    if (landed) {
      completeMerged(r.store, mr, landed, r.actor, 'found on the default branch after the refinery stopped mid-merge');
      r.emit({ mr: mr.id, bead: mr.bead, status: 'recovered-merged', commit: landed });
    } else if (mr.attempts >= MAX_ATTEMPTS) {
      updateMr(r.store, mr.id, {
        status: 'failed',
        failure: `the refinery stopped ${mr.attempts} times while merging this request`,
        finished_at: r.store.now(),
      });
      r.emit({
        mr: mr.id,
        bead: mr.bead,
        status: 'error',
        reason: `gave up after ${mr.attempts} interrupted attempts`,
      });
    } else {
      updateMr(r.store, mr.id, { status: 'queued', merge_commit: null });
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.requeued,
        subject: mr.bead,
        reason: 'interrupted mid-merge; not on the default branch',
        data: { mr: mr.id },
      });
      r.emit({ mr: mr.id, bead: mr.bead, status: 'requeued', reason: 'interrupted mid-merge' });
    }
  }
}

/**
 * Bring origin's new commits in. Origin rewritten (force-pushed) under a rig that pushes stops the queue: every run
 * would rebase, gate and fail to push again. Returns the stop, recorded once in the state and the event log.
 */
function syncOrigin(r: Run): { message: string; hint: string } | undefined {
  const branch = r.rig.default_branch;
  const s = syncFromOrigin(r.repo, branch);
  const state = readRefineryState(r.town, r.rig.name);
  if (s.state === 'diverged' && r.target?.kind === 'push') {
    const message = `origin's ${branch} was rewritten (it is at ${s.theirs!.slice(0, 12)}, which does not contain the rig's ${branch} at ${s.ours!.slice(0, 12)}): the merge queue of rig "${r.rig.name}" is stopped`;
    const hint = `gt refinery resync ${r.rig.name} moves the rig onto origin's ${branch} (keeping the old one as a branch), then gt refinery run ${r.rig.name}`;
    if (state.blocked?.ours !== s.ours || state.blocked?.theirs !== s.theirs) {
      updateRefineryState(r.town, r.rig.name, {
        blocked: { kind: 'origin-diverged', message, hint, ours: s.ours!, theirs: s.theirs!, since: r.store.now() },
      });
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.blocked,
        subject: r.rig.name,
        reason: message,
        data: { ours: s.ours, theirs: s.theirs },
      });
    }
    return { message, hint };
  }
  if (state.blocked && s.state !== 'unreachable') updateRefineryState(r.town, r.rig.name, { blocked: undefined });
  if (s.state !== 'up-to-date')
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.origin[s.state],
      subject: r.rig.name,
      reason: `origin ${branch}: ${s.state}`,
    });
  return undefined;
}

/**
 * Make sure the landed `commit` reaches the repository the rig came from. A push target already has it (land
 * pushes before it moves the branch); a local clone gets it through deliverToClone. A failure is kept in the state
 * (`undelivered`, a problem in gt status) and retried on every run until it succeeds; it never undoes the landing.
 */
function deliver(r: Run, commit: string): void {
  const t = r.target;
  if (!t) return;
  const target = t.kind === 'push' ? t.url : t.path;
  const branch = r.rig.default_branch;
  if (t.kind === 'push') {
    // Landing pushes before it moves the branch; a catch-up run pushes a tip origin does not have yet.
    const seen = revParse(r.repo, `refs/gt/origin/${branch}`);
    if (!seen || !isAncestor(r.repo, commit, seen)) {
      try {
        pushAndVerify(r.repo, commit, branch);
      } catch (e) {
        updateRefineryState(r.town, r.rig.name, {
          undelivered: { target, commit, reason: messageOf(e), since: r.store.now() },
        });
        return;
      }
    }
    updateRefineryState(r.town, r.rig.name, {
      delivered: { target, ref: branch, commit, at: r.store.now() },
      undelivered: undefined,
    });
    return;
  }
  const before = readRefineryState(r.town, r.rig.name).undelivered;
  updateRefineryState(r.town, r.rig.name, {
    undelivered: {
      target,
      commit,
      reason: before?.reason ?? 'not delivered yet',
      since: before?.since ?? r.store.now(),
    },
  });
  try {
    const d = deliverToClone(r.repo, t.path, branch, commit);
    const delivered: Delivered = { target, ref: d.ref, commit, at: r.store.now(), ...(d.note ? { note: d.note } : {}) };
    updateRefineryState(r.town, r.rig.name, { delivered, undelivered: undefined });
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.delivered,
      subject: r.rig.name,
      reason: `${commit.slice(0, 12)} is on ${d.ref} in ${target}${d.note ? ` (${d.note})` : ''}`,
      data: { commit, ref: d.ref, target },
    });
  } catch (e) {
    const reason = messageOf(e);
    updateRefineryState(r.town, r.rig.name, {
      undelivered: { target, commit, reason, since: before?.since ?? r.store.now() },
    });
    if (before?.reason !== reason)
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.deliverFailed,
        subject: r.rig.name,
        reason,
        data: { commit, target },
      });
  }
}

interface Stacked {
  mr: MergeRequest;
  commit: string;
}

type StackOutcome = { ok: true; stack: Stacked[] } | { ok: false; mr: MergeRequest; failure: MergeFailure };

/** Rebase each request on the previous one, starting from the default branch: the stack whose tip the gates test. */
function buildStack(
  r: Run,
  mrs: readonly MergeRequest[],
  onConflict: 'stop' | 'skip',
): { stack: Stacked[]; conflicts: { mr: MergeRequest; failure: MergeFailure }[] } {
  const stack: Stacked[] = [];
  const conflicts: { mr: MergeRequest; failure: MergeFailure }[] = [];
  let tip = revParse(r.repo, `refs/heads/${r.rig.default_branch}`)!;
  for (const mr of mrs) {
    const o: StackOutcome = stackOne(r, mr, tip);
    if (o.ok) {
      stack.push(o.stack[0]!);
      tip = o.stack[0]!.commit;
    } else {
      conflicts.push({ mr, failure: o.failure });
      if (onConflict === 'stop') break;
    }
  }
  return { stack, conflicts };
}

function stackOne(r: Run, mr: MergeRequest, tip: string): StackOutcome {
  const o = canReplayInMemory(r.repo) ? replayOnto(r.repo, mr.head, tip, r.who) : rebaseOnto(r.wt, mr.head, tip, r.who);
  return o.ok
    ? { ok: true, stack: [{ mr, commit: o.commit }] }
    : { ok: false, mr, failure: { kind: 'conflict', files: o.files, onto: tip, detail: o.message } };
}

/** Land a batch: conflicts out, then gates on the stack (bisecting a red one). A returned string stops the run. */
async function landBatch(r: Run, batch: MergeRequest[]): Promise<string | undefined> {
  const now = r.store.now();
  for (const mr of batch) updateMr(r.store, mr.id, { status: 'running', attempts: mr.attempts + 1, started_at: now });
  if (!canReplayInMemory(r.repo)) resetWorktree(r.wt, r.rig.default_branch);
  const first = buildStack(r, batch, 'skip');
  for (const c of first.conflicts) await fail(r, c.mr, c.failure);
  let prebuilt: Stacked[] | undefined = first.stack;
  let stop: string | undefined;
  const tryLand = async (group: MergeRequest[]): Promise<TryOutcome<MergeFailure>> => {
    let stack: Stacked[];
    if (prebuilt && prebuilt.length === group.length) {
      stack = prebuilt;
    } else {
      if (!canReplayInMemory(r.repo)) resetWorktree(r.wt, r.rig.default_branch);
      const built = buildStack(r, group, 'stop');
      if (built.conflicts.length > 0) return { ok: false, failure: built.conflicts[0]!.failure };
      stack = built.stack;
    }
    prebuilt = undefined;
    // Work slung with `--merge direct` lands without the gates (the sender chose so); any other request in the group runs them.
    const direct = group.every((mr) => mergeModeOf(getBead(r.store.db, mr.bead), r.rig.merge_strategy) === 'direct');
    const gateSet = direct ? {} : r.rig.gates;
    const hasGates = Object.values(gateSet).some(Boolean);
    if (hasGates && stack.length > 0) checkoutForGates(r.wt, stack[stack.length - 1]!.commit);
    const gates = await runGates(r.wt, gateSet, r.town.env);
    if (gates.ran.length > 0) r.gateRuns++;
    if (!gates.ok)
      return {
        ok: false,
        failure: { kind: 'gate', gate: gates.gate, reason: gates.reason, exit: gates.exit, output: gates.output },
      };
    stop ??= land(r, stack);
    return { ok: true };
  };
  const res = await bisectLand(
    first.stack.map((s) => s.mr),
    async (group) => {
      if (stop) return { ok: true }; // a push failure ends the run: later groups go back to the queue below
      return tryLand(group);
    },
  );
  for (const c of res.culprits) await fail(r, c.item, c.failure);
  if (stop) {
    for (const mr of listMrs(r.store, { rig: r.rig.name, status: ['running'] }))
      updateMr(r.store, mr.id, { status: 'queued', merge_commit: null });
  }
  return stop;
}

/** Push (when configured), fast-forward the default branch, then record every request of the stack as merged. */
function land(r: Run, stack: Stacked[]): string | undefined {
  if (stack.length === 0) return undefined;
  const branch = r.rig.default_branch;
  const from = revParse(r.repo, `refs/heads/${branch}`)!;
  const tip = stack[stack.length - 1]!.commit;
  // Written first, so a run killed after the fast-forward is recognised as landed (recover()).
  r.store.write(() => {
    for (const s of stack) updateMr(r.store, s.mr.id, { merge_commit: s.commit });
  });
  try {
    if (r.target?.kind === 'push') pushAndVerify(r.repo, tip, branch);
    advanceBranch(r.repo, branch, tip, from);
  } catch (e) {
    const why = messageOf(e);
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.pushFailed,
      subject: r.rig.name,
      reason: why,
      data: { mrs: stack.map((s) => s.mr.id) },
    });
    for (const s of stack) r.emit({ mr: s.mr.id, bead: s.mr.bead, status: 'error', reason: why });
    if (isGtError(e)) return e.hint ? `${why} (${e.hint})` : why;
    throw e;
  }
  // Every stacked commit is an ancestor of the tip, so the tip on the branch confirms them all.
  if (revParse(r.repo, `refs/heads/${branch}`) !== tip)
    throw new GtError(
      'GT_MERGE_UNVERIFIED',
      `${branch} is not at ${tip} after landing ${stack.map((s) => s.mr.id).join(', ')}`,
    );
  const worktrees = listWorktreesOf(r.repo);
  for (const s of stack) {
    completeMerged(r.store, s.mr, s.commit, r.actor);
    const del = deleteMergedBranch(r.repo, s.mr.branch, s.mr.head, worktrees);
    r.emit({
      mr: s.mr.id,
      bead: s.mr.bead,
      status: 'merged',
      commit: s.commit,
      branch_deleted: del.deleted,
      ...(del.reason ? { branch_note: del.reason } : {}),
    });
  }
  deliver(r, tip);
  return undefined;
}

async function fail(r: Run, mr: MergeRequest, failure: MergeFailure): Promise<void> {
  const rework = recordFailure(r.store, mr, failure, r.rig.default_branch, r.actor);
  const handed = await slingRework(r.town, r.store, rework, r.rig.name, r.sling);
  const base = {
    mr: mr.id,
    bead: mr.bead,
    rework_bead: rework,
    slung: handed.slung,
    ...(handed.note ? { note: handed.note } : {}),
  };
  if (failure.kind === 'conflict') r.emit({ ...base, status: 'conflict', files: failure.files });
  else if (failure.kind === 'gate')
    r.emit({
      ...base,
      status: failure.reason === 'timeout' ? 'gate-timeout' : 'gate-failed',
      gate: failure.gate,
      output: failure.output,
    });
}

export interface ResyncResult {
  rig: string;
  branch: string;
  state: 'moved' | 'fast-forwarded' | 'up-to-date' | 'origin-behind';
  from?: string;
  to?: string;
  /** The branch in the rig's repository that keeps the old tip (after a move). */
  kept?: string;
  repo: string;
}

/**
 * `gt refinery resync`: after origin was rewritten, move the rig's default branch onto origin's, keeping the old
 * tip on a branch (nothing is lost; its commits are never replayed onto the new history), and unblock the queue.
 */
export function resyncWithOrigin(town: TownContext, rigName: string): ResyncResult {
  const rig = loadRig(town, rigName);
  const repo = town.paths.repo(rigName);
  const lock = takeLock(refineryLockPath(town, rigName));
  if (!lock)
    throw new GtError('GT_MQ_BUSY', `another process is merging rig "${rigName}"`, {
      hint: 'wait for it to finish; gt refinery status shows the running pid',
    });
  const store = openTownStore(town, { actor: `${rigName}/refinery` });
  try {
    const r = resyncFromOrigin(repo, rig.default_branch);
    parkWorktree(town.paths.refinery(rigName), rig.default_branch);
    updateRefineryState(town, rigName, { blocked: undefined });
    if (r.state === 'moved') {
      recordTownEvent(store, {
        actor: `${rigName}/refinery`,
        kind: TOWN_EVENTS.refinery.resynced,
        subject: rigName,
        reason: `${rig.default_branch} moved from ${r.from!.slice(0, 12)} to origin's ${r.to!.slice(0, 12)}; the old tip is kept as ${r.kept}`,
        data: { ...r },
      });
    }
    return { rig: rigName, branch: rig.default_branch, repo, ...r };
  } finally {
    store.close();
    lock.release();
  }
}
