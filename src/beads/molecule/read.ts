// Reading molecules: the molecule bead, its steps in dependency order with their state, and progress counts.
import { GtError } from '../../kernel/index.ts';
import type { Store } from '../store.ts';
import { isDone, type Bead } from '../model.ts';
import { BEAD_COLUMNS, beadsOf, getBead, selectBeads } from '../rows.ts';
import { resolveId } from '../resolve.ts';
import { orderSteps } from '../formula/graph.ts';

export type StepState = 'done' | 'ready' | 'blocked' | 'in_progress';

export interface MolStep {
  id: string;
  /** The formula step it was poured from (null for beads added by hand). */
  step: string | null;
  title: string;
  status: Bead['status'];
  state: StepState;
  assignee: string | null;
  /** Bead ids this step waits for (`blocks` edges). */
  needs: string[];
  /** The enclosing bead: the molecule or a parent step. */
  parent: string;
  depth: number;
  run: string | null;
  close_reason: string | null;
}

export interface MoleculeSummary {
  id: string;
  title: string;
  status: Bead['status'];
  ephemeral: boolean;
  formula: string | null;
  vars: Record<string, string>;
  done: number;
  total: number;
  created_at: string;
}

/** Resolve `raw` to a molecule bead, or fail naming what it is instead. */
export function requireMolecule(store: Store, raw: string): Bead {
  const id = resolveId(store, raw);
  const b = getBead(store.db, id)!;
  if (b.type !== 'molecule') {
    throw new GtError('BD_NOT_MOLECULE', `${id} is a ${b.type}, not a molecule`, {
      hint: 'see the molecules with `bd mol list`',
    });
  }
  return b;
}

/** Beads under `root` through parent-child edges (any depth), live ones only; digests only when asked for. */
function descendants(
  store: Store,
  root: string,
  withDigests = false,
): { bead: Bead; blocked: boolean; parent: string }[] {
  const t = store.db.allValues(
    `WITH RECURSIVE d(id, parent) AS (
       SELECT issue_id, depends_on_id FROM deps WHERE depends_on_id = ? AND type = 'parent-child'
       UNION SELECT x.issue_id, x.depends_on_id FROM deps x JOIN d ON x.depends_on_id = d.id AND x.type = 'parent-child')
     SELECT ${BEAD_COLUMNS}, d.parent AS parent_id FROM issues i JOIN d ON d.id = i.id WHERE i.deleted_at IS NULL`,
    root,
  );
  const beads = beadsOf(t);
  const [blocked, parent] = [t.columns.indexOf('is_blocked'), t.columns.indexOf('parent_id')];
  return beads
    .map((bead, i) => ({ bead, blocked: Number(t.rows[i]![blocked]) === 1, parent: t.rows[i]![parent] as string }))
    .filter((x) => withDigests || !x.bead.metadata?.digest_of);
}

/** Ids of everything under `root`, digests included (what burning a molecule removes). */
export function descendantIds(store: Store, root: string): string[] {
  return descendants(store, root, true)
    .map((x) => x.bead.id)
    .sort(compareIds);
}

/** Id order with numeric parts compared as numbers, so `.2` comes before `.10`. */
export function compareIds(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function stateOf(status: Bead['status'], blocked: boolean): StepState {
  if (isDone(status)) return 'done';
  if (status === 'in_progress' || status === 'hooked') return 'in_progress';
  if (blocked || status === 'blocked' || status === 'deferred') return 'blocked';
  return 'ready';
}

/** The steps of a molecule in dependency order (ties: parents before children, then id order). */
export function moleculeSteps(store: Store, molId: string): MolStep[] {
  const all = descendants(store, molId);
  const byParent = new Map<string, typeof all>();
  for (const x of all) byParent.set(x.parent, [...(byParent.get(x.parent) ?? []), x]);
  const preorder: { x: (typeof all)[number]; depth: number }[] = [];
  const walk = (parent: string, depth: number): void => {
    for (const x of (byParent.get(parent) ?? []).sort((a, b) => compareIds(a.bead.id, b.bead.id))) {
      preorder.push({ x, depth });
      walk(x.bead.id, depth + 1);
    }
  };
  walk(molId, 0);
  const needs = new Map<string, string[]>();
  for (const { x } of preorder) {
    needs.set(
      x.bead.id,
      store.db
        .all<{ id: string }>(
          "SELECT depends_on_id AS id FROM deps WHERE issue_id = ? AND type = 'blocks' ORDER BY depends_on_id",
          x.bead.id,
        )
        .map((r) => r.id),
    );
  }
  const { order } = orderSteps(
    preorder.map(({ x }) => ({
      key: x.bead.id,
      parent: x.parent === molId ? null : x.parent,
      needs: needs.get(x.bead.id)!,
    })),
  );
  const byId = new Map(preorder.map((p) => [p.x.bead.id, p]));
  return order.map((id) => {
    const { x, depth } = byId.get(id)!;
    const meta = x.bead.metadata ?? {};
    return {
      id,
      step: typeof meta.formula_step === 'string' ? meta.formula_step : null,
      title: x.bead.title,
      status: x.bead.status,
      state: stateOf(x.bead.status, x.blocked),
      assignee: x.bead.assignee,
      needs: needs.get(id)!,
      parent: x.parent,
      depth,
      run: typeof meta.run === 'string' ? meta.run : null,
      close_reason: x.bead.close_reason,
    };
  });
}

export function summarize(store: Store, mol: Bead): MoleculeSummary {
  const steps = moleculeSteps(store, mol.id);
  const meta = mol.metadata ?? {};
  return {
    id: mol.id,
    title: mol.title,
    status: mol.status,
    ephemeral: mol.ephemeral,
    formula: typeof meta.formula === 'string' ? meta.formula : null,
    vars: (meta.vars as Record<string, string> | undefined) ?? {},
    done: steps.filter((s) => s.state === 'done').length,
    total: steps.length,
    created_at: mol.created_at,
  };
}

/** Molecules, newest first: open ones, or every one with `all`. Wisps included. */
export function listMolecules(store: Store, opts: { all?: boolean } = {}): MoleculeSummary[] {
  return selectBeads(
    store.db,
    `SELECT ${BEAD_COLUMNS} FROM issues i WHERE i.type = 'molecule' AND i.deleted_at IS NULL${opts.all ? '' : " AND i.status != 'closed'"} ORDER BY i.created_at DESC, i.id`,
  ).map((m) => summarize(store, m));
}
