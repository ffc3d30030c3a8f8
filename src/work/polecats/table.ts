// The town store's `polecats` table: one row per polecat, its state and its hook (docs/work-loop.md).
import type { Store } from '../../beads/index.ts';
import { setHookedBead } from '../sessions/agents-table.ts';

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

const COLUMNS = 'rig, name, state, bead, branch, base, worktree, hook_state, agent, restarts, last_snapshot, created_at, updated_at';

export function getPolecat(store: Store, rig: string, name: string): Polecat | undefined {
  return store.db.get<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE rig = ? AND name = ?`, rig, name);
}

/** Every polecat (of one rig, or all), by rig then name. */
export function listPolecats(store: Store, rig?: string): Polecat[] {
  return rig === undefined
    ? store.db.all<Polecat>(`SELECT ${COLUMNS} FROM polecats ORDER BY rig, name`)
    : store.db.all<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE rig = ? ORDER BY name`, rig);
}

/** The polecat whose hook holds `bead`, if any. */
export function polecatOfBead(store: Store, bead: string): Polecat | undefined {
  return store.db.get<Polecat>(`SELECT ${COLUMNS} FROM polecats WHERE bead = ?`, bead);
}

/** Claim a name: false when the row exists already (another sling took it first). */
export function insertPolecat(store: Store, row: Pick<Polecat, 'rig' | 'name' | 'worktree'> & Partial<Polecat>): boolean {
  const now = store.now();
  return store.write(() => store.db.run(
    `INSERT INTO polecats (rig, name, state, bead, branch, base, worktree, hook_state, agent, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rig, name) DO NOTHING`,
    row.rig, row.name, row.state ?? 'idle', row.bead ?? null, row.branch ?? null, row.base ?? null, row.worktree,
    row.hook_state ?? null, row.agent ?? null, now, now,
  )) === 1;
}

export type PolecatPatch = Partial<Omit<Polecat, 'rig' | 'name' | 'created_at' | 'updated_at'>>;

/**
 * Change a polecat's row; with `when`, only if its current state is one of them (a compare-and-set: false when
 * another process changed it first). `bead` also updates `agents.hooked_bead`, which must stay equal to it.
 */
export function updatePolecat(store: Store, rig: string, name: string, patch: PolecatPatch, when?: readonly PolecatState[]): boolean {
  const keys = Object.keys(patch) as (keyof PolecatPatch)[];
  const sets = [...keys.map((k) => `${k} = ?`), 'updated_at = ?'];
  const guard = when ? ` AND state IN (${when.map(() => '?').join(', ')})` : '';
  return store.write(() => {
    const n = store.db.run(
      `UPDATE polecats SET ${sets.join(', ')} WHERE rig = ? AND name = ?${guard}`,
      ...keys.map((k) => patch[k] as string | number | null), store.now(), rig, name, ...(when ?? []),
    );
    if (n === 1 && 'bead' in patch) setHookedBead(store, `${rig}/${name}`, patch.bead ?? null);
    return n === 1;
  });
}

export function deletePolecat(store: Store, rig: string, name: string): void {
  store.write(() => store.db.run('DELETE FROM polecats WHERE rig = ? AND name = ?', rig, name));
}

/** Polecats at work (holding a slot under the caps): of one rig and of the whole town. */
export function workingCounts(store: Store, rig: string): { rig: number; town: number } {
  const n = (sql: string, ...a: string[]): number => store.db.get<{ n: number }>(sql, ...a)?.n ?? 0;
  return {
    rig: n("SELECT count(*) AS n FROM polecats WHERE state = 'working' AND rig = ?", rig),
    town: n("SELECT count(*) AS n FROM polecats WHERE state = 'working'"),
  };
}
