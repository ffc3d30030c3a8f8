// Mapping between database rows and beads, and the reads every operation shares.
import type { SQLInputValue } from 'node:sqlite';
import type { Db, Params, Table, Values } from './sqlite.ts';
import type { Bead, BeadDetails, Comment, Dependency } from './model.ts';
import { extraFrom, extraText } from './record.ts';

/** Where each column of an issues row is in its values (Db.allValues). */
type At = Record<string, number>;

function beadFrom(v: Values, at: At, labels: string[]): Bead {
  const col = (name: string): SQLInputValue | undefined => v[at[name]!];
  const text = (name: string): string | null => (col(name) as string | null | undefined) ?? null;
  const uid = text('uid');
  const metadata = text('metadata');
  return {
    id: col('id') as string,
    title: col('title') as string,
    description: col('description') as string,
    design: col('design') as string,
    acceptance: col('acceptance') as string,
    notes: col('notes') as string,
    status: col('status') as Bead['status'],
    priority: Number(col('priority')),
    type: col('type') as Bead['type'],
    assignee: text('assignee'),
    owner: text('owner'),
    ...(uid ? { uid } : {}),
    labels,
    created_at: col('created_at') as string,
    created_by: col('created_by') as string,
    updated_at: col('updated_at') as string,
    closed_at: text('closed_at'),
    close_reason: text('close_reason'),
    external_ref: text('external_ref'),
    defer_until: text('defer_until'),
    metadata: metadata ? (JSON.parse(metadata) as Record<string, unknown>) : null,
    ephemeral: Number(col('ephemeral')) === 1,
    deleted_at: text('deleted_at'),
    deleted_by: text('deleted_by'),
    extra: extraFrom(col('extra')),
  };
}

/**
 * An issue's labels, in order, as a JSON array: a column of the query that reads its row (`issues i`), so a page of
 * beads is one statement rather than two (a short command pays for every statement it prepares).
 */
export const BEAD_COLUMNS =
  'i.*, (SELECT json_group_array(label) FROM (SELECT label FROM labels WHERE issue_id = i.id ORDER BY label)) AS labels_json';

/** The beads of issues rows read with Db.allValues: each row an issue's columns and its labels (BEAD_COLUMNS). */
export function beadsOf(t: Table): Bead[] {
  const at: At = {};
  t.columns.forEach((c, i) => (at[c] ??= i));
  const labels = at.labels_json!;
  return t.rows.map((v) => beadFrom(v, at, v[labels] === '[]' ? [] : (JSON.parse(v[labels] as string) as string[])));
}

/** The beads `sql` selects: `SELECT ${BEAD_COLUMNS} FROM issues i …`. */
export function selectBeads(db: Db, sql: string, ...params: Params): Bead[] {
  return beadsOf(db.allValues(sql, ...params));
}

const DEP_COLS = 'issue_id, depends_on_id, type, created_at, created_by, extra';
const COMMENT_COLS = 'id, issue_id, author, text, created_at, extra';

/** An edge or comment row: its `extra` column (fields this project does not model) decoded, or left out when empty. */
function withExtra<T extends { extra?: Record<string, unknown> | null }>(r: T & { extra?: unknown }): T {
  const extra = extraFrom(r.extra);
  const { extra: _drop, ...rest } = r;
  return (extra ? { ...rest, extra } : rest) as T;
}

/** A bead by exact id; deleted ones only when asked. */
export function getBead(db: Db, id: string, opts: { includeDeleted?: boolean } = {}): Bead | undefined {
  const [b] = selectBeads(db, `SELECT ${BEAD_COLUMNS} FROM issues i WHERE i.id = ?`, id);
  return b && (!b.deleted_at || opts.includeDeleted) ? b : undefined;
}

export function depsOf(db: Db, id: string): Dependency[] {
  return db
    .all<Dependency>(`SELECT ${DEP_COLS} FROM deps WHERE issue_id = ? ORDER BY depends_on_id`, id)
    .map(withExtra);
}

export function dependentsOf(db: Db, id: string): Dependency[] {
  return db
    .all<Dependency>(`SELECT ${DEP_COLS} FROM deps WHERE depends_on_id = ? ORDER BY issue_id`, id)
    .map(withExtra);
}

export function commentsOf(db: Db, id: string): Comment[] {
  return db
    .all<Comment>(`SELECT ${COMMENT_COLS} FROM comments WHERE issue_id = ? ORDER BY created_at, id`, id)
    .map(withExtra);
}

export function getDetails(db: Db, id: string, opts: { includeDeleted?: boolean } = {}): BeadDetails | undefined {
  const b = getBead(db, id, opts);
  if (!b) return undefined;
  return { ...b, dependencies: depsOf(db, id), comments: commentsOf(db, id) };
}

/** Every bead of the ledger (not ephemeral), with edges and comments, in id order. */
export function allDetails(db: Db): BeadDetails[] {
  const beads = selectBeads(db, `SELECT ${BEAD_COLUMNS} FROM issues i WHERE i.ephemeral = 0 ORDER BY i.id`);
  const deps = new Map<string, Dependency[]>();
  for (const d of db.all<Dependency>(`SELECT ${DEP_COLS} FROM deps`).map(withExtra)) {
    const l = deps.get(d.issue_id);
    if (l) l.push(d);
    else deps.set(d.issue_id, [d]);
  }
  const comments = new Map<string, Comment[]>();
  for (const c of db.all<Comment>(`SELECT ${COMMENT_COLS} FROM comments ORDER BY created_at, id`).map(withExtra)) {
    const l = comments.get(c.issue_id);
    if (l) l.push(c);
    else comments.set(c.issue_id, [c]);
  }
  return beads.map((b) => ({ ...b, dependencies: deps.get(b.id) ?? [], comments: comments.get(b.id) ?? [] }));
}

/** Write a whole bead (row, labels, edges, comments) as given, replacing what the store held for its id. */
export function writeBeadRows(db: Db, b: BeadDetails): void {
  db.run(
    `INSERT INTO issues (id, title, description, design, acceptance, notes, status, priority, type, assignee, owner, created_at, created_by,
       uid, updated_at, closed_at, close_reason, external_ref, defer_until, metadata, ephemeral, deleted_at, deleted_by, extra)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET title = excluded.title, description = excluded.description, design = excluded.design,
       acceptance = excluded.acceptance, notes = excluded.notes, status = excluded.status, priority = excluded.priority,
       type = excluded.type, assignee = excluded.assignee, owner = excluded.owner, created_at = excluded.created_at,
       created_by = excluded.created_by, uid = excluded.uid, updated_at = excluded.updated_at, closed_at = excluded.closed_at,
       close_reason = excluded.close_reason, external_ref = excluded.external_ref, defer_until = excluded.defer_until,
       metadata = excluded.metadata, ephemeral = excluded.ephemeral, deleted_at = excluded.deleted_at,
       deleted_by = excluded.deleted_by, extra = excluded.extra`,
    b.id,
    b.title,
    b.description,
    b.design,
    b.acceptance,
    b.notes,
    b.status,
    b.priority,
    b.type,
    b.assignee,
    b.owner ?? null,
    b.created_at,
    b.created_by,
    b.uid ?? null,
    b.updated_at,
    b.closed_at,
    b.close_reason,
    b.external_ref,
    b.defer_until,
    b.metadata ? JSON.stringify(b.metadata) : null,
    b.ephemeral ? 1 : 0,
    b.deleted_at,
    b.deleted_by,
    extraText(b.extra),
  );
  db.run('DELETE FROM labels WHERE issue_id = ?', b.id);
  for (const l of b.labels) db.run('INSERT OR IGNORE INTO labels (issue_id, label) VALUES (?, ?)', b.id, l);
  db.run('DELETE FROM deps WHERE issue_id = ?', b.id);
  for (const d of b.dependencies) {
    db.run(
      'INSERT OR REPLACE INTO deps (issue_id, depends_on_id, type, created_at, created_by, extra) VALUES (?, ?, ?, ?, ?, ?)',
      b.id,
      d.depends_on_id,
      d.type,
      d.created_at,
      d.created_by,
      extraText(d.extra),
    );
  }
  db.run('DELETE FROM comments WHERE issue_id = ?', b.id);
  for (const c of b.comments) {
    db.run(
      'INSERT OR REPLACE INTO comments (id, issue_id, author, text, created_at, extra) VALUES (?, ?, ?, ?, ?, ?)',
      c.id,
      b.id,
      c.author,
      c.text,
      c.created_at,
      extraText(c.extra),
    );
  }
}

/** Records of another `_type` the ledger carried, in the order they came (written back first, as they were). */
export function otherRecords(db: Db): string[] {
  return db.all<{ line: string }>('SELECT line FROM ledger_others ORDER BY seq').map((r) => r.line);
}

/** Replace the kept records of another `_type` (the ledger is the truth), or add new ones only (`bd import`). */
export function keepOtherRecords(db: Db, lines: readonly string[], mode: 'replace' | 'add'): void {
  if (mode === 'replace') db.run('DELETE FROM ledger_others');
  for (const line of lines) db.run('INSERT OR IGNORE INTO ledger_others (line) VALUES (?)', line);
}
