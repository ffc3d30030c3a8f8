// The town store's `merge_requests` table (docs/work-loop.md): what `gt done` enqueues and the refinery lands. This
// module owns the table: its schema part and every query on it. It sits in work, below the refinery, because work
// reads it too (a convoy's progress, which polecats still hold unlanded work); the refinery re-exports it.
import { randomBytes } from 'node:crypto';
import type { SchemaPart, Store } from '../beads/index.ts';

/** The table as the store's migration 4 created it (adopted as it is in towns made before schema parts). */
export const MERGE_REQUESTS_PART: SchemaPart = {
  name: 'merge_requests',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS merge_requests (
  id TEXT PRIMARY KEY,
  rig TEXT NOT NULL,
  bead TEXT NOT NULL,
  polecat TEXT,
  branch TEXT NOT NULL,
  head TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 2,
  status TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  merge_commit TEXT,
  failure TEXT,
  rework_bead TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  UNIQUE (rig, bead, head)
) STRICT;
CREATE INDEX IF NOT EXISTS merge_requests_queue ON merge_requests(rig, status, priority, created_at);
`,
    },
  ],
};

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

const COLS =
  'id, rig, bead, polecat, branch, head, priority, status, attempts, merge_commit, failure, rework_bead, created_at, updated_at, started_at, finished_at';

function newMrId(): string {
  return `mr-${BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36)}`;
}

export function getMr(store: Store, id: string): MergeRequest | undefined {
  return store.use(MERGE_REQUESTS_PART).get<MergeRequest>(`SELECT ${COLS} FROM merge_requests WHERE id = ?`, id);
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
  return store
    .use(MERGE_REQUESTS_PART)
    .all<MergeRequest>(
      `SELECT ${COLS} FROM merge_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`,
      ...params,
    );
}

/**
 * Enqueue a merge request, idempotently: UNIQUE(rig, bead, head) means a repeated call finds the existing row.
 * Queued requests of the same bead with an older head are superseded (the newest push is what lands).
 */
export function enqueueMergeRequest(store: Store, input: EnqueueInput): EnqueueResult {
  return store.write(() => {
    const existing = store
      .use(MERGE_REQUESTS_PART)
      .get<MergeRequest>(
        `SELECT ${COLS} FROM merge_requests WHERE rig = ? AND bead = ? AND head = ?`,
        input.rig,
        input.bead,
        input.head,
      );
    if (existing) return { mr: existing, created: false, superseded: [] };
    const now = store.now();
    const id = newMrId();
    store.use(MERGE_REQUESTS_PART).run(
      `INSERT INTO merge_requests (id, rig, bead, polecat, branch, head, priority, status, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
      id,
      input.rig,
      input.bead,
      input.polecat ?? null,
      input.branch,
      input.head,
      input.priority ?? 2,
      now,
      now,
    );
    const older = store
      .use(MERGE_REQUESTS_PART)
      .all<{ id: string }>(
        "SELECT id FROM merge_requests WHERE rig = ? AND bead = ? AND status = 'queued' AND id != ?",
        input.rig,
        input.bead,
        id,
      );
    for (const o of older) {
      store
        .use(MERGE_REQUESTS_PART)
        .run(
          "UPDATE merge_requests SET status = 'rejected', failure = ?, updated_at = ?, finished_at = ? WHERE id = ?",
          `superseded by ${id}`,
          now,
          now,
          o.id,
        );
    }
    return { mr: getMr(store, id)!, created: true, superseded: older.map((o) => o.id) };
  });
}

/** Change fields of a request (inside or outside a write). */
export function updateMr(
  store: Store,
  id: string,
  fields: Partial<Omit<MergeRequest, 'id' | 'rig' | 'bead' | 'created_at'>>,
): void {
  const keys = Object.keys(fields) as (keyof typeof fields)[];
  if (keys.length === 0) return;
  store.write(() =>
    store
      .use(MERGE_REQUESTS_PART)
      .run(
        `UPDATE merge_requests SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
        ...keys.map((k) => fields[k] ?? null),
        store.now(),
        id,
      ),
  );
}

/** Requests of any of `beads` (a convoy's progress). */
export function mrsOfBeads(store: Store, beads: readonly string[]): MergeRequest[] {
  if (beads.length === 0) return [];
  return store
    .use(MERGE_REQUESTS_PART)
    .all<MergeRequest>(
      `SELECT ${COLS} FROM merge_requests WHERE bead IN (${beads.map(() => '?').join(',')})`,
      ...beads,
    );
}

/** Whether the refinery recorded `head` of the rig as merged. */
export function headMerged(store: Store, rig: string, head: string): boolean {
  return (
    (store
      .use(MERGE_REQUESTS_PART)
      .get<{ n: number }>(
        "SELECT count(*) AS n FROM merge_requests WHERE rig = ? AND head = ? AND status = 'merged'",
        rig,
        head,
      )?.n ?? 0) > 0
  );
}

/** Branches of the rig whose requests are still in the queue (queued, running or failed): their polecats hold work. */
export function pendingBranches(store: Store, rig: string): Set<string> {
  return new Set(
    store
      .use(MERGE_REQUESTS_PART)
      .all<{ branch: string }>(
        "SELECT DISTINCT branch FROM merge_requests WHERE rig = ? AND status IN ('queued', 'running', 'failed')",
        rig,
      )
      .map((r) => r.branch),
  );
}

/** How many requests each rig has in each status. */
export function mrCounts(store: Store, rig?: string): { rig: string; status: MrStatus; n: number }[] {
  return store
    .use(MERGE_REQUESTS_PART)
    .all<{ rig: string; status: MrStatus; n: number }>(
      'SELECT rig, status, COUNT(*) AS n FROM merge_requests WHERE (? IS NULL OR rig = ?) GROUP BY rig, status',
      rig ?? null,
      rig ?? null,
    );
}

/** Failed requests no rework bead answers yet, newest first. */
export function unansweredFailures(store: Store, limit = 10): MergeRequest[] {
  return store
    .use(MERGE_REQUESTS_PART)
    .all<MergeRequest>(
      `SELECT ${COLS} FROM merge_requests WHERE status = 'failed' AND rework_bead IS NULL ORDER BY updated_at DESC LIMIT ?`,
      limit,
    );
}

/** The rig's last landed request. */
export function lastMerged(store: Store, rig: string): MergeRequest | undefined {
  return store
    .use(MERGE_REQUESTS_PART)
    .get<MergeRequest>(
      `SELECT ${COLS} FROM merge_requests WHERE rig = ? AND status = 'merged' ORDER BY finished_at DESC LIMIT 1`,
      rig,
    );
}

/** A failed or rejected request back in the queue: true only if it still was failed or rejected (a compare-and-set). */
export function requeueMr(store: Store, id: string): boolean {
  return (
    store.write(() =>
      store
        .use(MERGE_REQUESTS_PART)
        .run(
          "UPDATE merge_requests SET status = 'queued', failure = NULL, merge_commit = NULL, finished_at = NULL, updated_at = ? WHERE id = ? AND status IN ('failed', 'rejected')",
          store.now(),
          id,
        ),
    ) === 1
  );
}

/** Record a request as landed at `commit` (a request already merged is left as it is). */
export function markMerged(store: Store, id: string, commit: string): void {
  store.write(() => {
    const now = store.now();
    store
      .use(MERGE_REQUESTS_PART)
      .run(
        "UPDATE merge_requests SET status = 'merged', merge_commit = ?, failure = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND status != 'merged'",
        commit,
        now,
        now,
        id,
      );
  });
}

/** Beads whose failed request was handed to `bead` as its rework (one step). */
export function reworkedInto(store: Store, bead: string): string[] {
  return store
    .use(MERGE_REQUESTS_PART)
    .all<{ bead: string }>("SELECT DISTINCT bead FROM merge_requests WHERE rework_bead = ? AND status = 'failed'", bead)
    .map((r) => r.bead);
}

/** Changes whenever a request changes: the dashboard's cue to redraw its queue panels. */
export function mrsFingerprint(store: Store): string {
  return (
    store
      .use(MERGE_REQUESTS_PART)
      .get<{ f: string | null }>("SELECT count(*) || ':' || coalesce(max(updated_at), '') AS f FROM merge_requests")
      ?.f ?? ''
  );
}
