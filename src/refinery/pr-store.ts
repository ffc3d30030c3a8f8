// The pull request behind a merge request (`pull_requests`, owned here): number, URL, what the refinery last saw of
// it and which failures it already turned into rework. One row per PR; `mr` is the request it currently carries
// (a rework's request takes over the PR of the request it reworks).
import type { SchemaPart, Store } from '../beads/index.ts';

export type PrState = 'open' | 'rework' | 'auto-merge' | 'queued' | 'merged' | 'closed';

export interface PullRequestRow {
  rig: string;
  number: number;
  repo: string;
  url: string;
  node_id: string;
  branch: string;
  /** The merge request it carries now, and the head the refinery pushed for it. */
  mr: string;
  head: string;
  state: PrState;
  /** What the refinery last saw: `waiting for check "ci"`, `changes requested by alice`, … */
  detail: string | null;
  merge_commit: string | null;
  /** Review ids and `check:<name>@<sha>` keys already turned into rework (JSON array). */
  handled: string;
  /** Every merge request it has carried, oldest first (JSON array; `mr` is the last). */
  mrs: string;
  opened_at: string;
  polled_at: string | null;
  updated_at: string;
}

const DDL = `
CREATE TABLE IF NOT EXISTS pull_requests (
  rig TEXT NOT NULL,
  number INTEGER NOT NULL,
  repo TEXT NOT NULL,
  url TEXT NOT NULL,
  node_id TEXT NOT NULL,
  branch TEXT NOT NULL,
  mr TEXT NOT NULL,
  head TEXT NOT NULL,
  state TEXT NOT NULL,
  detail TEXT,
  merge_commit TEXT,
  handled TEXT NOT NULL DEFAULT '[]',
  opened_at TEXT NOT NULL,
  polled_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (repo, number)
) STRICT;
CREATE INDEX IF NOT EXISTS pull_requests_mr ON pull_requests(mr);
CREATE INDEX IF NOT EXISTS pull_requests_rig ON pull_requests(rig, state);
`;

/** The table's schema part: this module owns it and every query on it. */
export const PULL_REQUESTS_PART: SchemaPart = {
  name: 'pull_requests',
  migrations: [
    { version: 1, sql: DDL },
    // Every request the PR has carried (JSON array): the first request and each rework's. A reworked bead's own
    // request keeps showing its PR (gt mq list, gt convoy show, the dashboard) after a rework took the PR over.
    {
      version: 2,
      sql: "ALTER TABLE pull_requests ADD COLUMN mrs TEXT NOT NULL DEFAULT '[]'; UPDATE pull_requests SET mrs = json_array(mr);",
    },
  ],
};

const ensured = new WeakSet<object>();

/** Create the table on first use (once per connection). */
export function ensurePrTable(store: Store): void {
  if (ensured.has(store.db)) return;
  store.use(PULL_REQUESTS_PART);
  ensured.add(store.db);
}

function exists(store: Store): boolean {
  if (ensured.has(store.db)) return true;
  return !!store.db.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'pull_requests'");
}

export function prOfMr(store: Store, mr: string): PullRequestRow | undefined {
  if (!exists(store)) return undefined;
  return store.db.get<PullRequestRow>('SELECT * FROM pull_requests WHERE mr = ?', mr);
}

/**
 * The PR of each of these merge requests, the one it carries now or carried before a rework took it over
 * (read-only: a town that never opened one has no table and gets an empty map).
 */
export function prsOfMrs(store: Store, mrs: readonly string[]): Map<string, PullRequestRow> {
  const out = new Map<string, PullRequestRow>();
  if (mrs.length === 0 || !exists(store)) return out;
  const carried = hasMrsColumn(store);
  for (let i = 0; i < mrs.length; i += 500) {
    const part = mrs.slice(i, i + 500);
    const marks = part.map(() => '?').join(', ');
    const sql = carried
      ? `SELECT p.*, j.value AS carried FROM pull_requests p, json_each(p.mrs) j WHERE j.value IN (${marks})`
      : `SELECT *, mr AS carried FROM pull_requests WHERE mr IN (${marks})`;
    for (const r of store.db.all<PullRequestRow & { carried: string }>(sql, ...part)) {
      const { carried: id, ...row } = r;
      out.set(id, row);
    }
  }
  return out;
}

/** A read-only reader may meet the table before its second migration ran (no writer opened it since). */
function hasMrsColumn(store: Store): boolean {
  return store.db
    .all<{ name: string }>("SELECT name FROM pragma_table_info('pull_requests')")
    .some((c) => c.name === 'mrs');
}

export function listPrs(store: Store, rig: string, states?: readonly PrState[]): PullRequestRow[] {
  if (!exists(store)) return [];
  const where = states?.length ? ` AND state IN (${states.map(() => '?').join(', ')})` : '';
  return store.db.all<PullRequestRow>(
    `SELECT * FROM pull_requests WHERE rig = ?${where} ORDER BY opened_at, number`,
    rig,
    ...(states ?? []),
  );
}

/** The open PR on `branch` of `rig`, if the refinery opened one. */
export function prOnBranch(store: Store, rig: string, branch: string): PullRequestRow | undefined {
  if (!exists(store)) return undefined;
  return store.db.get<PullRequestRow>(
    "SELECT * FROM pull_requests WHERE rig = ? AND branch = ? AND state NOT IN ('merged', 'closed') ORDER BY opened_at DESC LIMIT 1",
    rig,
    branch,
  );
}

export function insertPr(
  store: Store,
  row: Omit<PullRequestRow, 'handled' | 'polled_at' | 'updated_at' | 'merge_commit' | 'detail' | 'mrs'>,
): PullRequestRow {
  ensurePrTable(store);
  store.write(() => {
    store.db.run(
      `INSERT INTO pull_requests (rig, number, repo, url, node_id, branch, mr, mrs, head, state, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, json_array(?), ?, ?, ?, ?)
       ON CONFLICT (repo, number) DO UPDATE SET mr = excluded.mr, head = excluded.head, state = excluded.state, updated_at = excluded.updated_at,
         mrs = CASE WHEN EXISTS (SELECT 1 FROM json_each(pull_requests.mrs) WHERE value = excluded.mr) THEN pull_requests.mrs ELSE json_insert(pull_requests.mrs, '$[#]', excluded.mr) END`,
      row.rig,
      row.number,
      row.repo,
      row.url,
      row.node_id,
      row.branch,
      row.mr,
      row.mr,
      row.head,
      row.state,
      row.opened_at,
      store.now(),
    );
  });
  return store.db.get<PullRequestRow>(
    'SELECT * FROM pull_requests WHERE repo = ? AND number = ?',
    row.repo,
    row.number,
  )!;
}

export function updatePr(
  store: Store,
  pr: Pick<PullRequestRow, 'repo' | 'number'>,
  fields: Partial<Omit<PullRequestRow, 'repo' | 'number' | 'rig'>>,
): void {
  const keys = Object.keys(fields) as (keyof typeof fields)[];
  if (keys.length === 0) return;
  store.write(() =>
    store.db.run(
      `UPDATE pull_requests SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE repo = ? AND number = ?`,
      ...keys.map((k) => fields[k] ?? null),
      store.now(),
      pr.repo,
      pr.number,
    ),
  );
}

/**
 * A webhook delivery named these PRs (by number, or by head branch or commit): make the open ones due, so the
 * refinery looks at them at its next tick instead of after `poll_seconds`. Returns how many were made due.
 */
export function markPrsDue(
  store: Store,
  refs: readonly { repo: string; number?: number; branch?: string; sha?: string }[],
): number {
  if (refs.length === 0 || !exists(store)) return 0;
  let due = 0;
  store.write(() => {
    for (const r of refs) {
      due += store.db.run(
        "UPDATE pull_requests SET polled_at = NULL WHERE repo = ? AND state NOT IN ('merged', 'closed') AND (number = ? OR branch = ? OR head = ?)",
        r.repo,
        r.number ?? null,
        r.branch ?? null,
        r.sha ?? null,
      );
    }
  });
  return due;
}

export function handledOf(pr: PullRequestRow): Set<string> {
  try {
    return new Set(JSON.parse(pr.handled) as string[]);
  } catch {
    return new Set();
  }
}

/** One line for lists: `#12 open (waiting for check "ci") https://…`. */
export function prSummary(pr: PullRequestRow): string {
  return `#${pr.number} ${pr.state}${pr.detail ? ` (${pr.detail})` : ''} ${pr.url}`;
}
