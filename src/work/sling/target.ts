// Reading a sling's target and its work: `<rig>` or `<rig>/<polecat>`; bead ids, or a formula to pour.
import { GtError, isGtError } from '../../kernel/index.ts';
import {
  cookFormula,
  formulaDirs,
  getBead,
  listBeads,
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

/**
 * When `ref` names no bead but a formula: the molecule to sling, and undefined otherwise. A molecule of that formula
 * with the same variables already poured in the rig (`bd mol pour`, seed 002's "create formula instance for
 * tracking") and neither started nor held by anyone is the one slung (`reused`); else the formula is poured (vars
 * applied) with the rig's prefix, as rig work is.
 */
export function pourIfFormula(
  town: TownContext,
  s: Store,
  ref: string,
  vars: Record<string, string>,
  dryRun: boolean,
  rig?: string,
): { molecule: Bead | { id: string; title: string }; formula: string; reused?: boolean } | undefined {
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
  const prefix = rig !== undefined ? loadRig(town, rig).prefix : undefined;
  const waiting = pouredAndWaiting(s, plan.formula, plan.vars, prefix);
  if (waiting) return { molecule: waiting, formula: formula.name, reused: true };
  if (dryRun)
    return { molecule: { id: `(new molecule of ${formula.name})`, title: formula.name }, formula: formula.name };
  return { molecule: pourPlan(s, plan, prefix !== undefined ? { prefix } : {}).molecule, formula: formula.name };
}

/** The oldest open, unassigned molecule of `formula` poured with exactly `vars` (in the rig's prefix, if given). */
function pouredAndWaiting(
  s: Store,
  formula: string,
  vars: Record<string, string>,
  prefix: string | undefined,
): Bead | undefined {
  const same = (a: unknown): boolean => {
    if (typeof a !== 'object' || a === null) return false;
    const have = a as Record<string, unknown>;
    return (
      Object.keys(have).length === Object.keys(vars).length && Object.entries(vars).every(([k, v]) => have[k] === v)
    );
  };
  return listBeads(s, { type: ['molecule'], status: ['open'], unassigned: true, sort: 'oldest' }).beads.find(
    (b) =>
      b.metadata?.formula === formula &&
      same(b.metadata?.vars) &&
      (prefix === undefined || b.id.startsWith(`${prefix}-`)),
  );
}
