// Questions the town asks of the issue tables: who tracks a bead, what a tracker's beads have done, beads found by
// label and metadata. The SQL on Beads' own tables stays in this folder; callers name what they want.
import type { Store } from './store.ts';

/** Beads of `type` (a convoy) that track `bead`, oldest edge first; `open` keeps the ones not closed. */
export function trackersOf(store: Store, bead: string, opts: { type: string; open?: boolean }): string[] {
  return store.db
    .all<{ id: string }>(
      `SELECT d.issue_id AS id FROM deps d JOIN issues c ON c.id = d.issue_id
     WHERE d.depends_on_id = ? AND d.type = 'tracks' AND c.type = ? AND c.deleted_at IS NULL${opts.open ? " AND c.status != 'closed'" : ''}
     ORDER BY d.issue_id`,
      bead,
      opts.type,
    )
    .map((r) => r.id);
}

/** The beads `tracker` tracks, in the order they were added. */
export function trackedBy(store: Store, tracker: string): string[] {
  return store.db
    .all<{ id: string }>(
      "SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'tracks' ORDER BY created_at, depends_on_id",
      tracker,
    )
    .map((r) => r.id);
}

/** Every tracked bead with a tracker of `type`; a bead tracked twice is listed twice, open trackers and newer ones last. */
export function trackingEdges(store: Store, type: string): { bead: string; tracker: string }[] {
  return store.db.all<{ bead: string; tracker: string }>(
    `SELECT d.depends_on_id AS bead, c.id AS tracker FROM deps d JOIN issues c ON c.id = d.issue_id
     WHERE d.type = 'tracks' AND c.type = ? AND c.deleted_at IS NULL ORDER BY (c.status != 'closed'), c.created_at`,
    type,
  );
}

export interface TrackerProgress {
  id: string;
  title: string;
  status: string;
  /** Beads it tracks. */
  total: number;
  /** Of those, closed. */
  landed: number;
}

/** Each open bead of `type` with how many of its tracked beads are closed, oldest first. */
export function trackerProgress(store: Store, type: string): TrackerProgress[] {
  return store.db.all<TrackerProgress>(
    `SELECT c.id, c.title, c.status, COUNT(d.depends_on_id) AS total, COALESCE(SUM(t.status = 'closed'), 0) AS landed
     FROM issues c LEFT JOIN deps d ON d.issue_id = c.id AND d.type = 'tracks' LEFT JOIN issues t ON t.id = d.depends_on_id
     WHERE c.type = ? AND c.deleted_at IS NULL AND c.status != 'closed' GROUP BY c.id ORDER BY c.created_at`,
    type,
  );
}

export interface LabelledQuery {
  label: string;
  /** Top-level metadata keys and the values they must hold (null: the key is absent or null). */
  metadata: Record<string, string | null>;
  title?: string;
  /** Created at or after this time (ISO). */
  createdSince?: string;
  /** Leave out closed beads. */
  open?: boolean;
}

/** Beads carrying `label` whose metadata match, most recently closed first. */
export function findLabelled(
  store: Store,
  q: LabelledQuery,
): { id: string; status: string; close_reason: string | null }[] {
  const where = ['deleted_at IS NULL', 'id IN (SELECT issue_id FROM labels WHERE label = ?)'];
  const params: (string | null)[] = [q.label];
  for (const [key, value] of Object.entries(q.metadata)) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(key)) throw new Error(`metadata key ${JSON.stringify(key)} is not a plain name`);
    where.push(`json_extract(metadata, '$.${key}') IS ?`);
    params.push(value);
  }
  if (q.title !== undefined) {
    where.push('title = ?');
    params.push(q.title);
  }
  if (q.createdSince !== undefined) {
    where.push('created_at >= ?');
    params.push(q.createdSince);
  }
  if (q.open) where.push("status != 'closed'");
  return store.db.all(
    `SELECT id, status, close_reason FROM issues WHERE ${where.join(' AND ')} ORDER BY closed_at DESC`,
    ...params,
  );
}

/** Live beads in `status` that have an assignee. */
export function assignedWithStatus(store: Store, status: string): { id: string; assignee: string }[] {
  return store.db.all(
    'SELECT id, assignee FROM issues WHERE status = ? AND assignee IS NOT NULL AND deleted_at IS NULL',
    status,
  );
}

/**
 * Of `ids`, the beads ready to start now, by priority: open, unblocked, not deferred, unassigned, and not of one of
 * `excludeTypes`.
 */
export function readyAmong(store: Store, ids: readonly string[], excludeTypes: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const marks = (n: number): string => Array.from({ length: n }, () => '?').join(',');
  return store.db
    .all<{ id: string }>(
      `SELECT id FROM issues WHERE id IN (${marks(ids.length)}) AND deleted_at IS NULL AND status = 'open'
       AND is_blocked = 0 AND (defer_until IS NULL OR defer_until <= ?) AND (assignee IS NULL OR assignee = '')
       ${excludeTypes.length ? `AND type NOT IN (${marks(excludeTypes.length)})` : ''}
     ORDER BY priority, created_at, id`,
      ...ids,
      new Date().toISOString(),
      ...excludeTypes,
    )
    .map((r) => r.id);
}

/** Changes whenever any bead is created, changed or removed: the count and the newest update time. */
export function beadsFingerprint(store: Store): string {
  return (
    store.db.get<{ f: string | null }>("SELECT count(*) || ':' || coalesce(max(updated_at), '') AS f FROM issues")?.f ??
    ''
  );
}
