// The town store's `polecats` table: one row per polecat, its state and its hook (docs/work-loop.md). This module
// owns the table: its schema part and every query on it.
import type { SchemaPart, Store } from '../../beads/index.ts';
import { setHookedBead } from '../../agents/table.ts';

/** The table as the store's migration 4 created it (adopted as it is in towns made before schema parts). */
export const POLECATS_PART: SchemaPart = {
  name: 'polecats',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS polecats (
  rig TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'idle',
  bead TEXT,
  branch TEXT,
  base TEXT,
  worktree TEXT NOT NULL,
  hook_state TEXT,
  agent TEXT,
  restarts INTEGER NOT NULL DEFAULT 0,
  last_snapshot TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (rig, name)
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS polecats_bead ON polecats(bead) WHERE bead IS NOT NULL;
`,
    },
  ],
};

export type PolecatState = 'idle' | 'working' | 'done' | 'stopped';
export type HookState = 'created' | 'active' | 'suspended' | 'completed' | 'archived';

export interface Polecat {
  rig: string;
  name: string;
  state: PolecatState;
  bead: string | null;
  branch: string | null;
  base: string | null;
  worktree: string;
  hook_state: HookState | null;
  agent: string | null;
  restarts: number;
  last_snapshot: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'rig, name, state, bead, branch, base, worktree, hook_state, agent, restarts, last_snapshot, created_at, updated_at';

export function getPolecat(store: Store, rig: string, name: string): Polecat | undefined {
  return store.use(POLECATS_PART).get<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE rig = ? AND name = ?`, rig, name);
}

/** Every polecat (of one rig, or all), by rig then name. */
export function listPolecats(store: Store, rig?: string): Polecat[] {
  return rig === undefined
    ? store.use(POLECATS_PART).all<Polecat>(`SELECT ${COLUMNS} FROM polecats ORDER BY rig, name`)
    : store.use(POLECATS_PART).all<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE rig = ? ORDER BY name`, rig);
}

/** The polecat whose hook holds `bead`, if any. */
export function polecatOfBead(store: Store, bead: string): Polecat | undefined {
  return store.use(POLECATS_PART).get<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE bead = ?`, bead);
}

/** Claim a name: false when the row exists already (another sling took it first). */
export function insertPolecat(
  store: Store,
  row: Pick<Polecat, 'rig' | 'name' | 'worktree'> & Partial<Polecat>,
): boolean {
  const now = store.now();
  return (
    store.write(() =>
      store.use(POLECATS_PART).run(
        `INSERT INTO polecats (rig, name, state, bead, branch, base, worktree, hook_state, agent, restarts, last_snapshot, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rig, name) DO NOTHING`,
        row.rig,
        row.name,
        row.state ?? 'idle',
        row.bead ?? null,
        row.branch ?? null,
        row.base ?? null,
        row.worktree,
        row.hook_state ?? null,
        row.agent ?? null,
        row.restarts ?? 0,
        row.last_snapshot ?? null,
        row.created_at ?? now,
        row.updated_at ?? row.created_at ?? now,
      ),
    ) === 1
  );
}

export type PolecatPatch = Partial<Omit<Polecat, 'rig' | 'name' | 'created_at' | 'updated_at'>>;

/**
 * Change a polecat's row; with `when`, only if its current state is one of them (a compare-and-set: false when
 * another process changed it first). `bead` also updates `agents.hooked_bead`, which must stay equal to it.
 */
export function updatePolecat(
  store: Store,
  rig: string,
  name: string,
  patch: PolecatPatch,
  when?: readonly PolecatState[],
): boolean {
  const keys = Object.keys(patch) as (keyof PolecatPatch)[];
  const sets = [...keys.map((k) => `${k} = ?`), 'updated_at = ?'];
  const guard = when ? ` AND state IN (${when.map(() => '?').join(', ')})` : '';
  return store.write(() => {
    const n = store
      .use(POLECATS_PART)
      .run(
        `UPDATE polecats SET ${sets.join(', ')} WHERE rig = ? AND name = ?${guard}`,
        ...keys.map((k) => patch[k] as string | number | null),
        store.now(),
        rig,
        name,
        ...(when ?? []),
      );
    if (n === 1 && 'bead' in patch) setHookedBead(store, `${rig}/${name}`, patch.bead ?? null);
    return n === 1;
  });
}

export function deletePolecat(store: Store, rig: string, name: string): void {
  store.write(() => store.use(POLECATS_PART).run('DELETE FROM polecats WHERE rig = ? AND name = ?', rig, name));
}

/** Polecats at work (holding a slot under the caps): of one rig and of the whole town. */
export function workingCounts(store: Store, rig: string): { rig: number; town: number } {
  const n = (sql: string, ...a: string[]): number => store.use(POLECATS_PART).get<{ n: number }>(sql, ...a)?.n ?? 0;
  return {
    rig: n("SELECT count(*) AS n FROM polecats WHERE state = 'working' AND rig = ?", rig),
    town: n("SELECT count(*) AS n FROM polecats WHERE state = 'working'"),
  };
}

/** The polecats whose hooks hold any of `beads`. */
export function polecatsHolding(store: Store, beads: readonly string[]): Polecat[] {
  if (beads.length === 0) return [];
  return store
    .use(POLECATS_PART)
    .all<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE bead IN (${beads.map(() => '?').join(',')})`, ...beads);
}

/** Hooks suspended by an escalation (gt done --status escalated, or the daemon), still holding their bead. */
export function suspendedHooks(store: Store): Polecat[] {
  return store
    .use(POLECATS_PART)
    .all<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE hook_state = 'suspended' AND bead IS NOT NULL`);
}

/** A suspended hook back to work: true only if the polecat still held `bead`, suspended (a compare-and-set). */
export function markHookResumed(store: Store, rig: string, name: string, bead: string): boolean {
  return (
    store.write(() =>
      store
        .use(POLECATS_PART)
        .run(
          "UPDATE polecats SET hook_state = 'active', state = 'working', updated_at = ? WHERE rig = ? AND name = ? AND bead = ? AND hook_state = 'suspended'",
          store.now(),
          rig,
          name,
          bead,
        ),
    ) === 1
  );
}

/** Count a restart on the polecat's hook, if it still holds `bead`. */
export function countRestart(store: Store, rig: string, name: string, bead: string): void {
  store.write(() =>
    store
      .use(POLECATS_PART)
      .run(
        'UPDATE polecats SET restarts = restarts + 1, updated_at = ? WHERE rig = ? AND name = ? AND bead = ?',
        store.now(),
        rig,
        name,
        bead,
      ),
  );
}

/** Set the restart count to `n`, only if the row still holds `bead` with the count `was` (a compare-and-set). */
export function setRestarts(
  store: Store,
  p: { rig: string; name: string; bead: string | null },
  was: number,
  n: number,
): void {
  store.write(() =>
    store
      .use(POLECATS_PART)
      .run(
        'UPDATE polecats SET restarts = ? WHERE rig = ? AND name = ? AND bead = ? AND restarts = ?',
        n,
        p.rig,
        p.name,
        p.bead,
        was,
      ),
  );
}

/** How many polecats each rig has in each state. */
export function polecatCounts(store: Store): { rig: string; state: string; n: number }[] {
  return store
    .use(POLECATS_PART)
    .all<{ rig: string; state: string; n: number }>(
      'SELECT rig, state, COUNT(*) AS n FROM polecats GROUP BY rig, state',
    );
}

/** Changes whenever a polecat row changes: the dashboard's cue to redraw its hook panels. */
export function polecatsFingerprint(store: Store): string {
  return (
    store
      .use(POLECATS_PART)
      .get<{ f: string | null }>("SELECT count(*) || ':' || coalesce(max(updated_at), '') AS f FROM polecats")?.f ?? ''
  );
}
