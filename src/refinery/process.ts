// The merge loop of one rig: recover from a killed run, then take the queue in plan order, batch by batch.
import { TOWN_EVENTS } from '../kernel/index.ts';
import { getBead } from '../beads/index.ts';
import { loadRig, openTownStore, type RigConfig, type TownContext } from '../town/index.ts';
import { deliveryTarget, isAncestor, parkWorktree, resetWorktree, revParse } from './git-ops.ts';
import { readRefineryState, type Delivered, type RefineryState } from './state.ts';
import { completeMerged } from './land.ts';
import { listMrs, mergeModeOf, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { hasPullRequest, pullsDue, runPullRequests } from './pr.ts';
import { planBatch } from './plan.ts';
import { deliver, syncOrigin } from './origin.ts';
import { landBatch } from './land-batch.ts';
import { refineryLockPath, takeLock, type MergeOutcome, type Run } from './run.ts';
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
