// Pouring: a cooked plan becomes a molecule bead with one child bead per step, all in one transaction.
import type { Store } from '../store.ts';
import type { Bead } from '../model.ts';
import { insertBead } from '../create.ts';
import type { Plan } from '../formula/types.ts';

export interface PouredStep {
  id: string;
  step: string;
  title: string;
  parent: string;
  /** Bead ids of the steps it waits for. */
  needs: string[];
  run: string | null;
}

export interface PourResult {
  molecule: Bead;
  steps: PouredStep[];
}

function moleculeTitle(plan: Plan): string {
  const first =
    plan.description
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  if (!first) return plan.formula;
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

function moleculeDescription(plan: Plan): string {
  const vars = Object.entries(plan.vars).map(([k, v]) => `- ${k} = ${v}`);
  return [
    `Poured from formula ${plan.formula} (version ${plan.version}).`,
    ...(vars.length ? ['', 'Variables:', ...vars] : []),
  ].join('\n');
}

/**
 * Create the molecule and its steps: children of the molecule (or of their enclosing step), `needs` as `blocks`
 * edges. Steps go in plan order, so a step's blockers and parent always exist before it. `ephemeral` makes a wisp;
 * `prefix` mints the molecule's id (its steps' ids follow it) with another prefix than the store's (a rig's).
 */
export function pourPlan(store: Store, plan: Plan, opts: { ephemeral?: boolean; prefix?: string } = {}): PourResult {
  const ephemeral = opts.ephemeral ?? false;
  return store.write(() => {
    const molecule = insertBead(store, {
      ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
      title: moleculeTitle(plan),
      description: moleculeDescription(plan),
      type: 'molecule',
      metadata: { formula: plan.formula, formula_version: plan.version, vars: plan.vars },
      ephemeral,
    });
    const idOf = new Map<string, string>();
    const steps = plan.steps.map((s): PouredStep => {
      const parent = s.parent === null ? molecule.id : idOf.get(s.parent)!;
      const needs = s.needs.map((n) => idOf.get(n)!);
      const bead = insertBead(store, {
        title: s.title,
        description: s.description,
        notes: s.notes,
        type: s.type,
        priority: s.priority,
        labels: s.labels,
        assignee: s.assignee,
        parent,
        deps: needs.map((id) => ({ type: 'blocks' as const, id })),
        metadata: { formula_step: s.id, ...(s.run ? { run: s.run } : {}) },
        ephemeral,
      });
      idOf.set(s.id, bead.id);
      return { id: bead.id, step: s.id, title: bead.title, parent, needs, run: s.run };
    });
    return { molecule, steps };
  });
}
