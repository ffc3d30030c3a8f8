// Reading a sling's target and its work: `<rig>` or `<rig>/<polecat>`; bead ids, or a formula to pour.
import { GtError, isGtError } from '../../kernel/index.ts';
import {
  cookFormula,
  formulaDirs,
  getBead,
  loadFormula,
  pourPlan,
  resolveId,
  type Bead,
  type Store,
} from '../../beads/index.ts';
import { loadRig, parseAddress, type TownContext } from '../../town/index.ts';
import type { SlingTarget } from './decide.ts';

export function parseTarget(town: TownContext, text: string): SlingTarget {
  const raw = text.trim().replace(/\/+$/, '');
  if (!raw.includes('/')) {
    loadRig(town, raw);
    return { rig: raw };
  }
  const a = parseAddress(town, raw);
  if (a.kind !== 'polecat') {
    throw new GtError('GT_BAD_TARGET', `cannot sling to "${text}": work goes to a rig or one of its polecats`, {
      kind: 'usage',
      hint: 'give <rig> (a free polecat is chosen) or <rig>/<polecat>',
    });
  }
  return { rig: a.rig, polecat: a.name };
}

/** A bead by any accepted spelling of its id, or undefined when there is none. */
export function findBead(s: Store, ref: string): Bead | undefined {
  try {
    return getBead(s.db, resolveId(s, ref));
  } catch (e) {
    if (isGtError(e) && (e.code === 'BD_NOT_FOUND' || e.code === 'BD_BAD_ID')) return undefined;
    throw e;
  }
}

/** When `ref` names no bead but a formula: pour it (vars applied) and return the molecule; undefined otherwise. */
export function pourIfFormula(
  town: TownContext,
  s: Store,
  ref: string,
  vars: Record<string, string>,
  dryRun: boolean,
  rig?: string,
): { molecule: Bead | { id: string; title: string }; formula: string } | undefined {
  // The target rig's own formulas (its default branch, the refinery's worktree) first, as bd searches inside a rig.
  const dirs = formulaDirs(town.paths.beads, town.env, rig !== undefined ? town.paths.refinery(rig) : undefined);
  let formula;
  try {
    formula = loadFormula(dirs, ref, town.root);
  } catch (e) {
    if (isGtError(e) && e.code === 'BD_FORMULA_NOT_FOUND') return undefined;
    throw e;
  }
  const plan = cookFormula(formula, vars);
  if (dryRun)
    return { molecule: { id: `(new molecule of ${formula.name})`, title: formula.name }, formula: formula.name };
  return { molecule: pourPlan(s, plan).molecule, formula: formula.name };
}
