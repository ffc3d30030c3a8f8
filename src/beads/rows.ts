// Mapping between database rows and beads, and the reads every operation shares.
import type { Db, Row } from './sqlite.ts';
import type { Bead, BeadDetails, Comment, Dependency } from './model.ts';

export function rowToBead(r: Row, labels: string[]): Bead {
  return {
    id: r.id as string,
    title: r.title as string,
    description: r.description as string,
    design: r.design as string,
    acceptance: r.acceptance as string,
    notes: r.notes as string,
    status: r.status as Bead['status'],
    priority: Number(r.priority),
    type: r.type as Bead['type'],
    assignee: (r.assignee as string | null) ?? null,
    labels,
    created_at: r.created_at as string,
    created_by: r.created_by as string,
    updated_at: r.updated_at as string,
    closed_at: (r.closed_at as string | null) ?? null,
    close_reason: (r.close_reason as string | null) ?? null,
    external_ref: (r.external_ref as string | null) ?? null,
    defer_until: (r.defer_until as string | null) ?? null,
    metadata: r.metadata ? (JSON.parse(r.metadata as string) as Record<string, unknown>) : null,
    ephemeral: Number(r.ephemeral) === 1,
    deleted_at: (r.deleted_at as string | null) ?? null,
    deleted_by: (r.deleted_by as string | null) ?? null,
  };
}

/** Labels of many beads in one query. */
export function labelsFor(db: Db, ids: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db.all<{ issue_id: string; label: string }>(
      `SELECT issue_id, label FROM labels WHERE issue_id IN (${chunk.map(() => '?').join(',')}) ORDER BY label`,
      ...chunk,
    );
    for (const r of rows) {
      const l = out.get(r.issue_id);
      if (l) l.push(r.label);
      else out.set(r.issue_id, [r.label]);
    }
  }
  return out;
}

/** Turn issue rows into beads with their labels. */
export function hydrate(db: Db, rows: Row[]): Bead[] {
  const labels = labelsFor(db, rows.map((r) => r.id as string));
  return rows.map((r) => rowToBead(r, labels.get(r.id as string) ?? []));
}

/** A bead by exact id; deleted ones only when asked. */
export function getBead(db: Db, id: string, opts: { includeDeleted?: boolean } = {}): Bead | undefined {
  const r = db.get('SELECT * FROM issues WHERE id = ?', id);
  if (!r || (r.deleted_at && !opts.includeDeleted)) return undefined;
  return hydrate(db, [r])[0];
}

export function depsOf(db: Db, id: string): Dependency[] {
  return db.all<Dependency>('SELECT issue_id, depends_on_id, type, created_at, created_by FROM deps WHERE issue_id = ? ORDER BY depends_on_id', id);
}

export function dependentsOf(db: Db, id: string): Dependency[] {
  return db.all<Dependency>('SELECT issue_id, depends_on_id, type, created_at, created_by FROM deps WHERE depends_on_id = ? ORDER BY issue_id', id);
}

export function commentsOf(db: Db, id: string): Comment[] {
  return db.all<Comment>('SELECT id, issue_id, author, text, created_at FROM comments WHERE issue_id = ? ORDER BY created_at, id', id);
}

export function getDetails(db: Db, id: string, opts: { includeDeleted?: boolean } = {}): BeadDetails | undefined {
  const b = getBead(db, id, opts);
  if (!b) return undefined;
  return { ...b, dependencies: depsOf(db, id), comments: commentsOf(db, id) };
}

/** Every bead of the ledger (not ephemeral), with edges and comments, in id order. */
export function allDetails(db: Db): BeadDetails[] {
  const rows = db.all('SELECT * FROM issues WHERE ephemeral = 0 ORDER BY id');
  const beads = hydrate(db, rows);
  const deps = new Map<string, Dependency[]>();
  for (const d of db.all<Dependency>('SELECT issue_id, depends_on_id, type, created_at, created_by FROM deps')) {
    const l = deps.get(d.issue_id);
    if (l) l.push(d);
    else deps.set(d.issue_id, [d]);
  }
  const comments = new Map<string, Comment[]>();
  for (const c of db.all<Comment>('SELECT id, issue_id, author, text, created_at FROM comments ORDER BY created_at, id')) {
    const l = comments.get(c.issue_id);
    if (l) l.push(c);
    else comments.set(c.issue_id, [c]);
  }
  return beads.map((b) => ({ ...b, dependencies: deps.get(b.id) ?? [], comments: comments.get(b.id) ?? [] }));
}
