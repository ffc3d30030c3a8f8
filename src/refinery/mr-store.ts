// Merge-request rows (`merge_requests`, docs/work-loop.md) and the town event log entries the merge loop writes.
import { randomBytes } from 'node:crypto';
import type { Store } from '../beads/index.ts';

export type MrStatus = 'queued' | 'running' | 'merged' | 'failed' | 'rejected';

export interface MergeRequest {
  id: string;
  rig: string;
  bead: string;
  polecat: string | null;
  branch: string;
  head: string;
  priority: number;
  status: MrStatus;
  attempts: number;
  merge_commit: string | null;
  failure: string | null;
  rework_bead: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface EnqueueInput {
  rig: string;
  bead: string;
  polecat?: string | null;
  branch: string;
  head: string;
  priority?: number;
}

export interface EnqueueResult {
  mr: MergeRequest;
  /** False when the same (rig, bead, head) was already enqueued: `gt done` run twice enqueues once. */
  created: boolean;
  /** Older queued requests of the same bead that this one replaces (marked rejected). */
  superseded: string[];
}

const COLS = 'id, rig, bead, polecat, branch, head, priority, status, attempts, merge_commit, failure, rework_bead, created_at, updated_at, started_at, finished_at';

function newMrId(): string {
  return `mr-${BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36)}`;
}

export function getMr(store: Store, id: string): MergeRequest | undefined {
  return store.db.get<MergeRequest>(`SELECT ${COLS} FROM merge_requests WHERE id = ?`, id);
}

export function listMrs(store: Store, filter: { rig?: string; status?: readonly MrStatus[] } = {}): MergeRequest[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.rig) {
    where.push('rig = ?');
    params.push(filter.rig);
  }
  if (filter.status?.length) {
    where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
    params.push(...filter.status);
  }
  return store.db.all<MergeRequest>(`SELECT ${COLS} FROM merge_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`, ...params);
}

/**
 * Enqueue a merge request, idempotently: UNIQUE(rig, bead, head) means a repeated call finds the existing row.
 * Queued requests of the same bead with an older head are superseded (the newest push is what lands).
 */
export function enqueueMergeRequest(store: Store, input: EnqueueInput): EnqueueResult {
  return store.write(() => {
    const existing = store.db.get<MergeRequest>(`SELECT ${COLS} FROM merge_requests WHERE rig = ? AND bead = ? AND head = ?`, input.rig, input.bead, input.head);
    if (existing) return { mr: existing, created: false, superseded: [] };
    const now = store.now();
    const id = newMrId();
    store.db.run(
      `INSERT INTO merge_requests (id, rig, bead, polecat, branch, head, priority, status, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
      id, input.rig, input.bead, input.polecat ?? null, input.branch, input.head, input.priority ?? 2, now, now,
    );
    const older = store.db.all<{ id: string }>("SELECT id FROM merge_requests WHERE rig = ? AND bead = ? AND status = 'queued' AND id != ?", input.rig, input.bead, id);
    for (const o of older) {
      store.db.run("UPDATE merge_requests SET status = 'rejected', failure = ?, updated_at = ?, finished_at = ? WHERE id = ?", `superseded by ${id}`, now, now, o.id);
    }
    return { mr: getMr(store, id)!, created: true, superseded: older.map((o) => o.id) };
  });
}

/** Change fields of a request (inside or outside a write). */
export function updateMr(store: Store, id: string, fields: Partial<Omit<MergeRequest, 'id' | 'rig' | 'bead' | 'created_at'>>): void {
  const keys = Object.keys(fields) as (keyof typeof fields)[];
  if (keys.length === 0) return;
  store.write(() =>
    store.db.run(
      `UPDATE merge_requests SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
      ...keys.map((k) => fields[k] ?? null), store.now(), id,
    ),
  );
}

/** Decisions go to the town's event log (read by `gt status` and the dashboard). */
export { recordTownEvent } from '../town/index.ts';

/** How a bead's work lands (work/sling keeps it in the bead's metadata; the rig's merge_strategy is the default). */
export { mergeModeOf, type LandingMode as MergeMode } from '../work/sling/index.ts';
