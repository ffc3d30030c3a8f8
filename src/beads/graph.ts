// The blocking view backed by the database, and the write-side helpers that keep `is_blocked` exact.
import type { Db } from './sqlite.ts';
import type { Status } from './model.ts';
import { affectedByStatusChange, computeAllBlocked, propagateBlocked, type BlockingView } from './blocked.ts';

type DbView = BlockingView & { dependentsVia(id: string, type: 'blocks' | 'waits-for'): string[] };

export function dbView(db: Db): DbView {
  const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id);
  return {
    status: (id) =>
      db.get<{ status: Status }>('SELECT status FROM issues WHERE id = ? AND deleted_at IS NULL', id)?.status,
    isBlocked: (id) => (db.get<{ b: number }>('SELECT is_blocked AS b FROM issues WHERE id = ?', id)?.b ?? 0) === 1,
    blockers: (id) => ids(db.all("SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'blocks'", id)),
    parent: (id) =>
      db.get<{ id: string }>("SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'parent-child'", id)
        ?.id,
    children: (id) =>
      ids(db.all("SELECT issue_id AS id FROM deps WHERE depends_on_id = ? AND type = 'parent-child'", id)),
    waitsFor: (id) => ids(db.all("SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'waits-for'", id)),
    dependentsVia: (id, type) =>
      ids(db.all('SELECT issue_id AS id FROM deps WHERE depends_on_id = ? AND type = ?', id, type)),
  };
}

function setFlag(db: Db, id: string, blocked: boolean): void {
  db.run('UPDATE issues SET is_blocked = ? WHERE id = ?', blocked ? 1 : 0, id);
}

/** After `ids` changed status, appeared or were deleted: bring every affected flag up to date. */
export function refreshAfterStatusChange(db: Db, ids: readonly string[]): void {
  const v = dbView(db);
  const seeds = ids.flatMap((id) => affectedByStatusChange(v, id));
  propagateBlocked(v, seeds, (id, b) => setFlag(db, id, b));
}

/** After edges of `ids` changed: recompute those beads (and what follows from their flags). */
export function refreshBeads(db: Db, ids: readonly string[]): void {
  const v = dbView(db);
  propagateBlocked(v, ids, (id, b) => setFlag(db, id, b));
}

/** Recompute every flag from scratch (after an import): loads the graph once into memory. */
export function refreshAll(db: Db): number {
  const rows = db.all<{ id: string; status: Status; b: number }>(
    'SELECT id, status, is_blocked AS b FROM issues WHERE deleted_at IS NULL',
  );
  const status = new Map(rows.map((r) => [r.id, r.status]));
  const group = (type: string, by: 'from' | 'to'): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const d of db.all<{ a: string; b: string }>(
      'SELECT issue_id AS a, depends_on_id AS b FROM deps WHERE type = ?',
      type,
    )) {
      const k = by === 'from' ? d.a : d.b;
      const val = by === 'from' ? d.b : d.a;
      const l = m.get(k);
      if (l) l.push(val);
      else m.set(k, [val]);
    }
    return m;
  };
  const blockers = group('blocks', 'from');
  const parents = group('parent-child', 'from');
  const children = group('parent-child', 'to');
  const waits = group('waits-for', 'from');
  const view: BlockingView = {
    status: (id) => status.get(id),
    isBlocked: () => false,
    blockers: (id) => blockers.get(id) ?? [],
    parent: (id) => parents.get(id)?.[0],
    children: (id) => children.get(id) ?? [],
    waitsFor: (id) => waits.get(id) ?? [],
  };
  const flags = computeAllBlocked(
    view,
    rows.map((r) => r.id),
  );
  let changed = 0;
  for (const r of rows) {
    const b = flags.has(r.id);
    if (b !== (r.b === 1)) {
      setFlag(db, r.id, b);
      changed++;
    }
  }
  return changed;
}
