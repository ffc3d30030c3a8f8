// Reading beads: list with filters, ready work, blocked work, search and statistics.
import type { Store } from './store.ts';
import type { Params } from './sqlite.ts';
import { NON_WORK_TYPES, type Bead, type IssueType, type Status } from './model.ts';
import { BEAD_COLUMNS, beadsOf, selectBeads } from './rows.ts';
import { claimInTx, type ClaimOutcome } from './update.ts';

export type SortKey = 'priority' | 'oldest' | 'newest' | 'updated' | 'id' | 'hybrid';

export interface ListFilter {
  status?: Status[];
  type?: IssueType[];
  assignee?: string;
  unassigned?: boolean;
  labels?: string[];
  priority?: number[];
  /** Direct children of this bead. */
  parent?: string;
  text?: string;
  includeClosed?: boolean;
  includeEphemeral?: boolean;
  sort?: SortKey;
  limit?: number;
  /** Also count every match beyond the limit (costs a second query). */
  withTotal?: boolean;
  /** Also each bead's edges and comments (Beads' list counts), read by the same query. */
  withCounts?: boolean;
}

interface Where {
  clauses: string[];
  params: Params;
}

function whereOf(f: ListFilter): Where {
  const clauses = ['i.deleted_at IS NULL'];
  const params: Params = [];
  const inList = (col: string, vals: readonly (string | number)[]): void => {
    clauses.push(`${col} IN (${vals.map(() => '?').join(',')})`);
    params.push(...vals);
  };
  if (f.status?.length) inList('i.status', f.status);
  else if (!f.includeClosed) clauses.push("i.status != 'closed'");
  if (f.type?.length) inList('i.type', f.type);
  if (f.priority?.length) inList('i.priority', f.priority);
  if (f.assignee) {
    clauses.push('i.assignee = ?');
    params.push(f.assignee);
  }
  if (f.unassigned) clauses.push("(i.assignee IS NULL OR i.assignee = '')");
  for (const l of f.labels ?? []) {
    clauses.push('EXISTS (SELECT 1 FROM labels l WHERE l.issue_id = i.id AND l.label = ?)');
    params.push(l);
  }
  if (f.parent) {
    clauses.push(
      "EXISTS (SELECT 1 FROM deps d WHERE d.issue_id = i.id AND d.depends_on_id = ? AND d.type = 'parent-child')",
    );
    params.push(f.parent);
  }
  if (f.text) {
    clauses.push(
      '(instr(lower(i.title), ?) > 0 OR instr(lower(i.description), ?) > 0 OR instr(lower(i.notes), ?) > 0 OR i.id = ?)',
    );
    const t = f.text.toLowerCase();
    params.push(t, t, t, t);
  }
  if (!f.includeEphemeral) clauses.push('i.ephemeral = 0');
  return { clauses, params };
}

function orderBy(sort: SortKey | undefined): string {
  switch (sort ?? 'priority') {
    case 'oldest':
      return 'i.created_at ASC, i.id';
    case 'newest':
      return 'i.created_at DESC, i.id';
    case 'updated':
      return 'i.updated_at DESC, i.id';
    case 'id':
      return 'i.id';
    case 'hybrid':
      return "CASE WHEN i.created_at >= ? THEN 0 ELSE 1 END, CASE WHEN i.created_at >= ? THEN i.priority ELSE 0 END, CASE WHEN i.created_at >= ? THEN '' ELSE i.created_at END, i.priority, i.created_at DESC, i.id";
    default:
      return 'i.priority ASC, i.created_at DESC, i.id';
  }
}

/** How many edges a bead has out (`deps`) and in (`dependents`), and its comments: Beads' list counts. */
export interface EdgeCounts {
  deps: number;
  dependents: number;
  comments: number;
}

const COUNT_COLUMNS = [
  '(SELECT count(*) FROM deps WHERE issue_id = i.id) AS n_deps',
  '(SELECT count(*) FROM deps WHERE depends_on_id = i.id) AS n_dependents',
  '(SELECT count(*) FROM comments WHERE issue_id = i.id) AS n_comments',
].join(', ');

function select(
  store: Store,
  where: Where,
  sort: SortKey | undefined,
  limit: number | undefined,
  withCounts = false,
): Omit<Page, 'total'> {
  const params = [...where.params];
  if (sort === 'hybrid') {
    const cutoff = new Date(Date.now() - 48 * 3600_000).toISOString();
    params.push(cutoff, cutoff, cutoff);
  }
  const lim = limit && limit > 0 ? ` LIMIT ${Math.floor(limit)}` : '';
  const cols = withCounts ? `${BEAD_COLUMNS}, ${COUNT_COLUMNS}` : BEAD_COLUMNS;
  const t = store.db.allValues(
    `SELECT ${cols} FROM issues i WHERE ${where.clauses.join(' AND ')} ORDER BY ${orderBy(sort)}${lim}`,
    ...params,
  );
  const beads = beadsOf(t);
  if (!withCounts) return { beads };
  const [d, n, c] = ['n_deps', 'n_dependents', 'n_comments'].map((x) => t.columns.indexOf(x));
  const counts = new Map<string, EdgeCounts>();
  t.rows.forEach((v, i) =>
    counts.set(beads[i]!.id, { deps: Number(v[d!]), dependents: Number(v[n!]), comments: Number(v[c!]) }),
  );
  return { beads, counts };
}

function countOf(store: Store, where: Where): number {
  return (
    store.db.get<{ n: number }>(
      `SELECT count(*) AS n FROM issues i WHERE ${where.clauses.join(' AND ')}`,
      ...where.params,
    )?.n ?? 0
  );
}

export interface Page {
  beads: Bead[];
  /** How many matched before the limit. */
  total: number;
  /** Each bead's counts, by id, when asked for (`withCounts`). */
  counts?: Map<string, EdgeCounts>;
}

export function listBeads(store: Store, f: ListFilter = {}): Page {
  const where = whereOf(f);
  const page = select(store, where, f.sort, f.limit, f.withCounts);
  const n = page.beads.length;
  return { ...page, total: f.withTotal && f.limit && n >= f.limit ? countOf(store, where) : n };
}

export interface ReadyFilter {
  assignee?: string;
  unassigned?: boolean;
  labels?: string[];
  type?: IssueType[];
  priority?: number[];
  parent?: string;
  sort?: 'priority' | 'oldest' | 'hybrid';
  limit?: number;
  includeEphemeral?: boolean;
  /** Also count every match beyond the limit (costs a second query). */
  withTotal?: boolean;
}

function readyWhere(f: ReadyFilter, now: string): Where {
  const w = whereOf({ ...f, status: ['open'], includeEphemeral: f.includeEphemeral ?? false });
  w.clauses.push('i.is_blocked = 0', '(i.defer_until IS NULL OR i.defer_until <= ?)');
  w.params.push(now);
  if (!f.type?.length) {
    w.clauses.push(`i.type NOT IN (${NON_WORK_TYPES.map(() => '?').join(',')})`);
    w.params.push(...NON_WORK_TYPES);
  }
  return w;
}

/** Open, unblocked, not deferred work (DESIGN.md §5). */
export function readyBeads(store: Store, f: ReadyFilter = {}): Page {
  const where = readyWhere(f, new Date().toISOString());
  const { beads } = select(store, where, f.sort ?? 'priority', f.limit);
  const total = f.withTotal && f.limit && beads.length >= f.limit ? countOf(store, where) : beads.length;
  return { beads, total };
}

/** Take the first ready, unassigned bead for `actor`, atomically. Undefined when nothing is ready. */
export function claimReady(store: Store, actor: string, f: ReadyFilter = {}): ClaimOutcome | undefined {
  return store.write(() => {
    const [first] = readyBeads(store, { ...f, unassigned: true, limit: 1 }).beads;
    return first ? claimInTx(store, first.id, actor) : undefined;
  });
}

export interface BlockedBead extends Bead {
  blocked_by: string[];
}

/** Unfinished beads held back by dependencies, with what holds each one. */
export function blockedBeads(store: Store, f: { limit?: number } = {}): BlockedBead[] {
  const beads = selectBeads(
    store.db,
    `SELECT ${BEAD_COLUMNS} FROM issues i WHERE i.deleted_at IS NULL AND i.is_blocked = 1 ORDER BY i.priority, i.created_at DESC, i.id${f.limit ? ` LIMIT ${Math.floor(f.limit)}` : ''}`,
  );
  return beads.map((b) => ({
    ...b,
    blocked_by: store.db
      .all<{ id: string }>(
        `SELECT d.depends_on_id AS id FROM deps d JOIN issues t ON t.id = d.depends_on_id
       WHERE d.issue_id = ? AND t.deleted_at IS NULL AND (
         (d.type = 'blocks' AND t.status NOT IN ('closed', 'pinned')) OR
         (d.type = 'parent-child' AND t.status NOT IN ('closed', 'pinned') AND (t.is_blocked = 1 OR t.status IN ('blocked', 'deferred'))) OR
         (d.type = 'waits-for' AND EXISTS (SELECT 1 FROM deps c JOIN issues ci ON ci.id = c.issue_id WHERE c.depends_on_id = t.id AND c.type = 'parent-child' AND ci.deleted_at IS NULL AND ci.status NOT IN ('closed', 'pinned'))))
       ORDER BY d.depends_on_id`,
        b.id,
      )
      .map((r) => r.id),
  }));
}

export interface Stats {
  total: number;
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  by_priority: Record<string, number>;
  ready: number;
  blocked: number;
}

export function beadStats(store: Store): Stats {
  const group = (col: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of store.db.all<{ k: string | number; n: number }>(
      `SELECT ${col} AS k, count(*) AS n FROM issues WHERE deleted_at IS NULL AND ephemeral = 0 GROUP BY ${col} ORDER BY ${col}`,
    )) {
      out[String(r.k)] = r.n;
    }
    return out;
  };
  const by_status = group('status');
  return {
    total: Object.values(by_status).reduce((a, b) => a + b, 0),
    by_status,
    by_type: group('type'),
    by_priority: group('priority'),
    ready: countOf(store, readyWhere({}, new Date().toISOString())),
    blocked:
      store.db.get<{ n: number }>(
        'SELECT count(*) AS n FROM issues WHERE deleted_at IS NULL AND is_blocked = 1 AND ephemeral = 0',
      )?.n ?? 0,
  };
}

/** The id of the bead in `status` assigned to `assignee` that changed last (a hook, or work a session was doing). */
export function latestAssigned(store: Store, assignee: string, status: Status): string | null {
  return (
    store.db.get<{ id: string }>(
      'SELECT id FROM issues WHERE status = ? AND assignee = ? AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1',
      status,
      assignee,
    )?.id ?? null
  );
}
