// Dependency edges: adding (with cycle refusal), removing, trees and cycle detection.
import { GtError, usageError, BEAD_EVENTS } from '../kernel/index.ts';
import type { Store } from './store.ts';
import type { DepType, Dependency } from './model.ts';
import { refreshBeads } from './graph.ts';

/**
 * Whether `start` already waits on `goal`, through any edges that can hold work back: a `blocks` target, a parent
 * (a child is held while its parent is blocked), and the children of a `waits-for` spawner.
 */
function reaches(store: Store, start: string, goal: string): boolean {
  const r = store.db.get(
    `WITH RECURSIVE r(id) AS (
       SELECT ?
       UNION SELECT d.depends_on_id FROM deps d JOIN r ON d.issue_id = r.id WHERE d.type IN ('blocks', 'parent-child')
       UNION SELECT c.issue_id FROM deps w JOIN r ON w.issue_id = r.id
         JOIN deps c ON c.depends_on_id = w.depends_on_id AND c.type = 'parent-child' WHERE w.type = 'waits-for')
     SELECT 1 AS hit FROM r WHERE id = ? LIMIT 1`,
    start,
    goal,
  );
  return r !== undefined;
}

/** The waits-on pairs a new edge adds: its own, or for waits-for the spawner's children; a new child joins its parent's waiters. */
function addedWaits(store: Store, from: string, to: string, type: DepType): [string, string][] {
  const ids = (sql: string, id: string): string[] => store.db.all<{ id: string }>(sql, id).map((r) => r.id);
  if (type === 'blocks') return [[from, to]];
  if (type === 'waits-for')
    return ids("SELECT issue_id AS id FROM deps WHERE depends_on_id = ? AND type = 'parent-child'", to).map((c) => [
      from,
      c,
    ]);
  if (type === 'parent-child') {
    return [
      [from, to],
      ...ids("SELECT issue_id AS id FROM deps WHERE depends_on_id = ? AND type = 'waits-for'", to).map(
        (a): [string, string] => [a, from],
      ),
    ];
  }
  return [];
}

/** Add an edge `from` → `to` inside the current write. Same edge again is a no-op; another type for the pair is refused. */
export function addDependency(store: Store, from: string, to: string, type: DepType): 'added' | 'exists' {
  if (from === to) throw usageError('BD_SELF_DEP', `${from} cannot depend on itself`);
  const existing = store.db.get<{ type: string }>(
    'SELECT type FROM deps WHERE issue_id = ? AND depends_on_id = ?',
    from,
    to,
  );
  if (existing) {
    if (existing.type === type) return 'exists';
    throw new GtError('BD_DEP_EXISTS', `${from} already depends on ${to} as "${existing.type}"`, {
      hint: `remove that edge first with \`bd dep remove ${from} ${to}\` if you meant "${type}"`,
    });
  }
  const eph = store.db.all<{ id: string; e: number }>(
    'SELECT id, ephemeral AS e FROM issues WHERE id IN (?, ?)',
    from,
    to,
  );
  if (eph.find((r) => r.id === from)?.e === 0 && eph.find((r) => r.id === to)?.e === 1) {
    throw new GtError(
      'BD_EPHEMERAL_TARGET',
      `${to} is ephemeral (a wisp) and ${from} is not: the edge could not travel with ${from} through git`,
      {
        hint: `link wisps among themselves, or pour the formula with \`bd mol pour\` to get persistent beads`,
      },
    );
  }
  for (const [x, y] of addedWaits(store, from, to, type)) {
    if (x === y || reaches(store, y, x)) {
      throw new GtError(
        'BD_DEP_CYCLE',
        `adding ${from} → ${to} (${type}) would create a cycle: ${y} already waits on ${x} (through blocks, parent-child or waits-for edges), so neither could ever be ready`,
        {
          hint: 'check the direction: `bd dep add A B` means A waits for B; see the edges with `bd dep tree`',
        },
      );
    }
  }
  if (type === 'parent-child') {
    const p = store.db.get<{ id: string }>(
      "SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'parent-child'",
      from,
    );
    if (p)
      throw new GtError('BD_HAS_PARENT', `${from} already has parent ${p.id}`, {
        hint: `remove it first with \`bd dep remove ${from} ${p.id}\``,
      });
  }
  store.db.run(
    'INSERT INTO deps (issue_id, depends_on_id, type, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
    from,
    to,
    type,
    store.now(),
    store.actor(),
  );
  store.event(from, BEAD_EVENTS.dependencyAdded, null, { depends_on_id: to, type });
  touchUpdated(store, from);
  refreshBeads(store.db, affectedByEdge(store, from, to, type));
  return 'added';
}

export function removeDependency(store: Store, from: string, to: string): Dependency {
  const d = store.db.get<Dependency>(
    'SELECT issue_id, depends_on_id, type, created_at, created_by FROM deps WHERE issue_id = ? AND depends_on_id = ?',
    from,
    to,
  );
  if (!d)
    throw new GtError('BD_NO_DEP', `${from} does not depend on ${to}`, {
      hint: `see its edges with \`bd show ${from}\``,
    });
  store.db.run('DELETE FROM deps WHERE issue_id = ? AND depends_on_id = ?', from, to);
  store.event(from, BEAD_EVENTS.dependencyRemoved, { depends_on_id: to, type: d.type }, null);
  touchUpdated(store, from);
  refreshBeads(store.db, affectedByEdge(store, from, to, d.type));
  return d;
}

/** Whose blocked flag an edge can move: its dependent, and for a parent-child edge whatever waits for that parent's children. */
function affectedByEdge(store: Store, from: string, to: string, type: DepType): string[] {
  if (type !== 'parent-child') return [from];
  const waiters = store.db.all<{ id: string }>(
    "SELECT issue_id AS id FROM deps WHERE depends_on_id = ? AND type = 'waits-for'",
    to,
  );
  return [from, ...waiters.map((w) => w.id)];
}

function touchUpdated(store: Store, id: string): void {
  store.db.run('UPDATE issues SET updated_at = ? WHERE id = ?', store.now(), id);
  store.touch(id);
}

export interface DepTreeNode {
  id: string;
  title: string;
  status: string;
  type: DepType | 'root';
  children: DepTreeNode[];
  /** Set when the node was already shown higher up (a diamond or a cycle). */
  repeated?: boolean;
}

/** What `id` depends on, recursively (`down`), or what depends on it (`up`). */
export function dependencyTree(
  store: Store,
  id: string,
  direction: 'down' | 'up' = 'down',
  maxDepth = 20,
): DepTreeNode {
  const seen = new Set<string>();
  const node = (nid: string, type: DepTreeNode['type'], depth: number): DepTreeNode => {
    const row = store.db.get<{ title: string; status: string }>('SELECT title, status FROM issues WHERE id = ?', nid);
    const n: DepTreeNode = {
      id: nid,
      title: row?.title ?? '(missing)',
      status: row?.status ?? 'missing',
      type,
      children: [],
    };
    if (seen.has(nid)) return { ...n, repeated: true };
    seen.add(nid);
    if (depth >= maxDepth) return n;
    const edges =
      direction === 'down'
        ? store.db.all<{ id: string; type: DepType }>(
            'SELECT depends_on_id AS id, type FROM deps WHERE issue_id = ? ORDER BY depends_on_id',
            nid,
          )
        : store.db.all<{ id: string; type: DepType }>(
            'SELECT issue_id AS id, type FROM deps WHERE depends_on_id = ? ORDER BY issue_id',
            nid,
          );
    n.children = edges.map((e) => node(e.id, e.type, depth + 1));
    return n;
  };
  return node(id, 'root', 0);
}

/** Every cycle among the edges that can hold work back (blocks, parent-child, waits-for), each once, smallest id first. */
export function findCycles(store: Store): string[][] {
  const adj = new Map<string, string[]>();
  const add = (a: string, b: string): void => {
    const l = adj.get(a);
    if (l) l.push(b);
    else adj.set(a, [b]);
  };
  const rows = store.db.all<{ a: string; b: string; t: string }>(
    "SELECT issue_id AS a, depends_on_id AS b, type AS t FROM deps WHERE type IN ('blocks', 'parent-child', 'waits-for') ORDER BY a, b",
  );
  const children = new Map<string, string[]>();
  for (const d of rows) if (d.t === 'parent-child') children.set(d.b, [...(children.get(d.b) ?? []), d.a]);
  for (const d of rows) {
    if (d.t === 'waits-for') for (const c of children.get(d.b) ?? []) add(d.a, c);
    else add(d.a, d.b);
  }
  for (const l of adj.values()) l.sort();
  return cyclesOf(adj);
}

/** Cycles of a directed graph (Tarjan's strongly connected components; each component of size > 1 or a self-loop). */
export function cyclesOf(adj: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (adj.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}
