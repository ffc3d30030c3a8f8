// What people do to the queue: look at it (in plan order), retry a failed request, reject one.
import { existsSync } from 'node:fs';
import { GtError, usageError, TOWN_EVENTS } from '../kernel/index.ts';
import { readLockRecord } from '../agents/session-lock.ts';
import type { Store } from '../beads/index.ts';
import { loadRig, rigNames, type TownContext } from '../town/index.ts';
import {
  getMr,
  lastMerged,
  listMrs,
  mrCounts,
  recordTownEvent,
  requeueMr,
  updateMr,
  type MergeRequest,
  type MrStatus,
} from './mr-store.ts';
import { effectivePriority, planQueue } from './plan.ts';
import { refineryLockPath } from './run.ts';
import { readRefineryState, type RefineryState } from './state.ts';

export interface QueuedView extends MergeRequest {
  /** Position in the plan (1 = next), for queued requests. */
  position: number;
  effective_priority: number;
}

/** Queued requests of a rig in the order the refinery will take them, with their aged priority. */
export function listQueue(store: Store, rig: string, now = new Date()): QueuedView[] {
  return planQueue(listMrs(store, { rig, status: ['queued'] }), now).map((mr, i) => ({
    ...mr,
    position: i + 1,
    effective_priority: effectivePriority(mr, now),
  }));
}

export interface RefineryStatus {
  rig: string;
  default_branch: string;
  merge_strategy: string;
  batch: number;
  push: string;
  /** The pid merging the rig right now, if any. */
  running_pid: number | null;
  counts: Record<MrStatus, number>;
  last_merged: { mr: string; bead: string; commit: string | null; at: string | null } | null;
  /** Where landed work last reached the repository the rig came from (its branch, or `gt/<branch>` and why). */
  delivered: RefineryState['delivered'] | null;
  /** Landed work only in the rig's own repository, and why (a failed delivery, retried every run). */
  undelivered: RefineryState['undelivered'] | null;
  /** Why the queue is stopped, with the hint (origin rewritten). */
  blocked: RefineryState['blocked'] | null;
}

export function refineryStatus(town: TownContext, store: Store, rig: string): RefineryStatus {
  const cfg = loadRig(town, rig);
  const counts: Record<MrStatus, number> = { queued: 0, running: 0, merged: 0, failed: 0, rejected: 0 };
  for (const row of mrCounts(store, rig)) counts[row.status] = row.n;
  const last = lastMerged(store, rig);
  const lock = refineryLockPath(town, rig);
  const st = readRefineryState(town, rig);
  return {
    rig,
    default_branch: cfg.default_branch,
    merge_strategy: cfg.merge_strategy,
    batch: cfg.merge_queue?.batch ?? 1,
    push: cfg.merge_queue?.push ?? 'auto',
    running_pid: existsSync(lock) ? (readLockRecord(lock)?.pid ?? null) : null,
    counts,
    last_merged: last ? { mr: last.id, bead: last.bead, commit: last.merge_commit, at: last.finished_at } : null,
    delivered: st.delivered ?? null,
    undelivered: st.undelivered ?? null,
    blocked: st.blocked ?? null,
  };
}

export function allRefineryStatus(town: TownContext, store: Store, rig?: string): RefineryStatus[] {
  return (rig ? [rig] : rigNames(town)).map((r) => refineryStatus(town, store, r));
}

function mustGetMr(store: Store, id: string): MergeRequest {
  const mr = getMr(store, id);
  if (!mr) throw usageError('GT_MR_NOT_FOUND', `no merge request ${id}`, 'list them with gt mq list');
  return mr;
}

/** Put a failed or rejected request back on the queue (its branch head as it was enqueued). */
export function retryMr(store: Store, id: string, actor: string): MergeRequest {
  const mr = mustGetMr(store, id);
  if (mr.status !== 'failed' && mr.status !== 'rejected') {
    throw new GtError(
      'GT_MR_NOT_RETRYABLE',
      `merge request ${id} is ${mr.status}; only failed or rejected requests can be retried`,
      { kind: 'usage', hint: 'see the queue with gt mq list' },
    );
  }
  if (requeueMr(store, id))
    recordTownEvent(store, {
      actor,
      kind: TOWN_EVENTS.refinery.retry,
      subject: mr.bead,
      reason: `retry of ${id} (was ${mr.status})`,
      data: { mr: id },
    });
  return getMr(store, id)!;
}

/** Take a queued or failed request off the queue for good, with the reason. */
export function rejectMr(store: Store, id: string, reason: string | undefined, actor: string): MergeRequest {
  const mr = mustGetMr(store, id);
  if (mr.status === 'merged' || mr.status === 'running') {
    throw new GtError('GT_MR_NOT_REJECTABLE', `merge request ${id} is ${mr.status} and cannot be rejected`, {
      kind: 'usage',
      hint: 'reject only queued or failed requests; see gt mq list',
    });
  }
  if (mr.status !== 'rejected') {
    updateMr(store, id, {
      status: 'rejected',
      failure: reason ? `rejected: ${reason}` : 'rejected',
      finished_at: store.now(),
    });
    recordTownEvent(store, {
      actor,
      kind: TOWN_EVENTS.refinery.rejected,
      subject: mr.bead,
      reason: reason ?? 'rejected by hand',
      data: { mr: id },
    });
  }
  return getMr(store, id)!;
}
