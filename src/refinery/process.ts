// The merge loop of one rig: recover from a killed run, then take the queue in plan order, batch by batch.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GtError, isGtError, messageOf } from '../kernel/index.ts';
import { tryAcquire, breakIfStale, lockPath, type LockHandle } from '../agents/session-lock.ts';
import { getBead, type Store } from '../beads/index.ts';
import { loadRig, openTownStore, type RigConfig, type TownContext } from '../town/index.ts';
import {
  advanceBranch, canReplayInMemory, checkoutForGates, deleteMergedBranch, isAncestor, listWorktreesOf, parkWorktree, replayOnto, pushAndVerify, pushTarget, rebaseOnto, resetWorktree, revParse, syncFromOrigin,
  type Committer,
} from './git-ops.ts';
import { runGates } from './gates.ts';
import { completeMerged } from './land.ts';
import { listMrs, mergeModeOf, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
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
}

export type MergeOutcome =
  | { mr: string; bead: string; status: 'merged'; commit: string; branch_deleted: boolean; branch_note?: string }
  | { mr: string; bead: string; status: 'recovered-merged'; commit: string }
  | { mr: string; bead: string; status: 'requeued'; reason: string }
  | { mr: string; bead: string; status: 'conflict'; files: string[]; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'gate-failed' | 'gate-timeout'; gate: string; output: string; rework_bead: string; slung: string; note?: string }
  | { mr: string; bead: string; status: 'error'; reason: string };

export interface ProcessResult {
  rig: string;
  /** `busy`: another process holds the rig's merge lock; `unsupported`: the rig's merge strategy is not handled. */
  status: 'done' | 'busy' | 'unsupported';
  message?: string;
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
  push: string | undefined;
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
export async function processQueue(town: TownContext, rigName: string, opts: ProcessOptions = {}): Promise<ProcessResult> {
  const started = Date.now();
  const rig = loadRig(town, rigName);
  const result = (status: ProcessResult['status'], r?: Run, message?: string): ProcessResult => ({
    rig: rigName, status, ...(message ? { message } : {}), outcomes: r?.outcomes ?? [], gate_runs: r?.gateRuns ?? 0, batches, ms: Date.now() - started,
  });
  let batches = 0;
  if (rig.merge_strategy === 'pr') {
    return result('unsupported', undefined, `rig "${rigName}" has merge_strategy "pr" (land through pull requests), which is not supported yet; set "merge_strategy": "mr" in ${town.paths.rigJson(rigName)} to land through the merge queue`);
  }
  if (!hasWork(town, rigName)) return result('done');
  const lock = takeLock(refineryLockPath(town, rigName));
  if (!lock) return result('busy', undefined, `another process is merging rig "${rigName}" (lock ${refineryLockPath(town, rigName)})`);
  const actor = `${rigName}/refinery`;
  const store = openTownStore(town, { actor });
  const repo = town.paths.repo(rigName);
  const run: Run = {
    town, rig, store, repo, wt: town.paths.refinery(rigName), who: { name: actor, email: `${rigName}.refinery@gastown.local` }, actor,
    push: pushTarget(repo, rig.merge_queue?.push ?? 'auto'), sling: opts.sling ?? true, outcomes: [], gateRuns: 0,
    emit(o) {
      this.outcomes.push(o);
      opts.onOutcome?.(o);
    },
  };
  try {
    resetWorktree(run.wt, rig.default_branch);
    recover(run);
    if (run.push) syncOrigin(run);
    const size = opts.batch ?? rig.merge_queue?.batch ?? 1;
    for (;;) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) break;
      const queued = listMrs(store, { rig: rigName, status: ['queued'] });
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
function hasWork(town: TownContext, rig: string): boolean {
  const store = openTownStore(town);
  try {
    return listMrs(store, { rig, status: ['queued', 'running'] }).length > 0;
  } finally {
    store.close();
  }
}

/** Requests left `running` by a killed refinery: landed already → finish the bookkeeping; else back to the queue. */
function recover(r: Run): void {
  const main = `refs/heads/${r.rig.default_branch}`;
  for (const mr of listMrs(r.store, { rig: r.rig.name, status: ['running'] })) {
    const landed = [mr.merge_commit, mr.head].find((c): c is string => !!c && !!revParse(r.repo, c) && isAncestor(r.repo, c, main));
    if (landed) {
      completeMerged(r.store, mr, landed, r.actor, 'found on the default branch after the refinery stopped mid-merge');
      r.emit({ mr: mr.id, bead: mr.bead, status: 'recovered-merged', commit: landed });
    } else if (mr.attempts >= MAX_ATTEMPTS) {
      updateMr(r.store, mr.id, { status: 'failed', failure: `the refinery stopped ${mr.attempts} times while merging this request`, finished_at: r.store.now() });
      r.emit({ mr: mr.id, bead: mr.bead, status: 'error', reason: `gave up after ${mr.attempts} interrupted attempts` });
    } else {
      updateMr(r.store, mr.id, { status: 'queued', merge_commit: null });
      recordTownEvent(r.store, { actor: r.actor, kind: 'refinery.requeued', subject: mr.bead, reason: 'interrupted mid-merge; not on the default branch', data: { mr: mr.id } });
      r.emit({ mr: mr.id, bead: mr.bead, status: 'requeued', reason: 'interrupted mid-merge' });
    }
  }
}

function syncOrigin(r: Run): void {
  const s = syncFromOrigin(r.repo, r.rig.default_branch);
  if (s !== 'up-to-date') recordTownEvent(r.store, { actor: r.actor, kind: `refinery.origin-${s}`, subject: r.rig.name, reason: `origin ${r.rig.default_branch}: ${s}` });
}

interface Stacked {
  mr: MergeRequest;
  commit: string;
}

type StackOutcome = { ok: true; stack: Stacked[] } | { ok: false; mr: MergeRequest; failure: MergeFailure };

/** Rebase each request on the previous one, starting from the default branch: the stack whose tip the gates test. */
function buildStack(r: Run, mrs: readonly MergeRequest[], onConflict: 'stop' | 'skip'): { stack: Stacked[]; conflicts: { mr: MergeRequest; failure: MergeFailure }[] } {
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
  return o.ok ? { ok: true, stack: [{ mr, commit: o.commit }] } : { ok: false, mr, failure: { kind: 'conflict', files: o.files, onto: tip, detail: o.message } };
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
    const direct = group.every((mr) => mergeModeOf(getBead(r.store.db, mr.bead)) === 'direct');
    const gateSet = direct ? {} : r.rig.gates;
    const hasGates = Object.values(gateSet).some(Boolean);
    if (hasGates && stack.length > 0) checkoutForGates(r.wt, stack[stack.length - 1]!.commit);
    const gates = await runGates(r.wt, gateSet, r.town.env);
    if (gates.ran.length > 0) r.gateRuns++;
    if (!gates.ok) return { ok: false, failure: { kind: 'gate', gate: gates.gate, reason: gates.reason, exit: gates.exit, output: gates.output } };
    stop ??= land(r, stack);
    return { ok: true };
  };
  const res = await bisectLand(first.stack.map((s) => s.mr), async (group) => {
    if (stop) return { ok: true }; // a push failure ends the run: later groups go back to the queue below
    return tryLand(group);
  });
  for (const c of res.culprits) await fail(r, c.item, c.failure);
  if (stop) {
    for (const mr of listMrs(r.store, { rig: r.rig.name, status: ['running'] })) updateMr(r.store, mr.id, { status: 'queued', merge_commit: null });
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
    if (r.push) pushAndVerify(r.repo, tip, branch);
    advanceBranch(r.repo, branch, tip, from);
  } catch (e) {
    const why = messageOf(e);
    recordTownEvent(r.store, { actor: r.actor, kind: 'refinery.push-failed', subject: r.rig.name, reason: why, data: { mrs: stack.map((s) => s.mr.id) } });
    for (const s of stack) r.emit({ mr: s.mr.id, bead: s.mr.bead, status: 'error', reason: why });
    if (isGtError(e)) return e.hint ? `${why} (${e.hint})` : why;
    throw e;
  }
  // Every stacked commit is an ancestor of the tip, so the tip on the branch confirms them all.
  if (revParse(r.repo, `refs/heads/${branch}`) !== tip) throw new GtError('GT_MERGE_UNVERIFIED', `${branch} is not at ${tip} after landing ${stack.map((s) => s.mr.id).join(', ')}`);
  const worktrees = listWorktreesOf(r.repo);
  for (const s of stack) {
    completeMerged(r.store, s.mr, s.commit, r.actor);
    const del = deleteMergedBranch(r.repo, s.mr.branch, s.mr.head, worktrees);
    r.emit({ mr: s.mr.id, bead: s.mr.bead, status: 'merged', commit: s.commit, branch_deleted: del.deleted, ...(del.reason ? { branch_note: del.reason } : {}) });
  }
  return undefined;
}

async function fail(r: Run, mr: MergeRequest, failure: MergeFailure): Promise<void> {
  const rework = recordFailure(r.store, mr, failure, r.rig.default_branch, r.actor);
  const handed = await slingRework(r.town, r.store, rework, r.rig.name, r.sling);
  const base = { mr: mr.id, bead: mr.bead, rework_bead: rework, slung: handed.slung, ...(handed.note ? { note: handed.note } : {}) };
  if (failure.kind === 'conflict') r.emit({ ...base, status: 'conflict', files: failure.files });
  else r.emit({ ...base, status: failure.reason === 'timeout' ? 'gate-timeout' : 'gate-failed', gate: failure.gate, output: failure.output });
}
