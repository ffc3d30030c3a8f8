// The town store: present, openable, its schema current, and the bead-level checks `bd doctor` runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDoctor, Store } from '../../beads/index.ts';
import { messageOf } from '../../kernel/index.ts';
import type { TownPaths } from '../layout.ts';
import type { PlannedCheck } from './types.ts';

/** Problems that make the store unusable are errors; the rest `bd doctor --fix` (and `gt doctor --fix`) repairs. */
const SEVERE = new Set(['schema']);

export function storeChecks(p: TownPaths, env: NodeJS.ProcessEnv, fix: boolean): PlannedCheck[] {
  const db = join(p.beads, 'beads.db');
  if (!existsSync(p.beads)) return []; // reported by the layout check
  if (!existsSync(db)) {
    return [
      {
        id: 'store',
        status: 'error',
        detail: `${db} is missing`,
        hint: `run gt install ${p.root} to repair the town (it only adds what is missing)`,
      },
    ];
  }
  let store: Store;
  try {
    // Without --fix, open without importing a changed ledger: the check must not change anything.
    store = Store.open(
      { dir: p.beads, root: p.root, kind: 'town' },
      { env, actor: 'gt doctor', skipLedgerCheck: !fix },
    );
  } catch (e) {
    return [
      {
        id: 'store',
        status: 'error',
        detail: `the town store cannot be opened: ${messageOf(e)}`,
        hint: 'see bd doctor from inside the town',
      },
    ];
  }
  try {
    return runDoctor(store, fix).map((c): PlannedCheck => {
      const id = `store.${c.name}`;
      if (c.fixed) return { id, status: 'ok', detail: c.detail, fixed: 'repaired as bd doctor --fix does' };
      if (c.ok) return { id, status: 'ok', detail: c.detail };
      const fixable = c.name === 'dangling-edges' || c.name === 'blocked-flags' || c.name === 'ledger';
      return {
        id,
        status: SEVERE.has(c.name) ? 'error' : 'warn',
        detail: c.detail,
        ...(fixable
          ? {
              fix:
                c.name === 'ledger'
                  ? 'merge issues.jsonl into the database and write it again (the old file is kept as a backup)'
                  : 'repair it as bd doctor --fix does',
            }
          : {}),
      };
    });
  } catch (e) {
    return [{ id: 'store', status: 'error', detail: `checking the town store failed: ${messageOf(e)}` }];
  } finally {
    store.close();
  }
}
