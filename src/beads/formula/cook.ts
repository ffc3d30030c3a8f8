// Cooking: a formula plus variable values becomes a plan of concrete steps in dependency order (pure).
import { GtError, messageOf } from '../../kernel/index.ts';
import { validateTitle, type IssueType } from '../model.ts';
import type { Formula, Plan, PlanStep, StepDef } from './types.ts';
import { orderSteps } from './graph.ts';
import { evalCondition, resolveVars, substitute } from './vars.ts';

/** Bead types a step may ask for; anything else (e.g. the original's `human`) becomes a task. */
const STEP_TYPES: readonly IssueType[] = [
  'task',
  'bug',
  'feature',
  'epic',
  'chore',
  'decision',
  'spike',
  'story',
  'milestone',
];

function beadType(step: StepDef, hasChildren: boolean): IssueType {
  const t = step.type?.trim().toLowerCase();
  if (t && (STEP_TYPES as readonly string[]).includes(t)) return t as IssueType;
  return hasChildren && !t ? 'epic' : 'task';
}

interface Kept {
  step: StepDef;
  parent: string | null;
  depth: number;
}

/** Resolve variables, drop steps whose condition is false, substitute `{{var}}` and order the rest. */
export function cookFormula(f: Formula, given: Readonly<Record<string, string>>): Plan {
  if (f.type !== 'workflow') {
    throw new GtError(
      'BD_FORMULA_TYPE',
      `formula ${f.name} is of type ${f.type}; only workflow formulas can be cooked or poured`,
      {
        hint: 'pick a workflow formula from `bd formula list`',
      },
    );
  }
  const vars = resolveVars(f, given);
  const kept: Kept[] = [];
  const skipped: string[] = [];
  const walk = (steps: readonly StepDef[], parent: string | null, depth: number): void => {
    for (const s of steps) {
      if (!evalCondition(s.condition, vars)) {
        skipped.push(s.id);
        continue;
      }
      kept.push({ step: s, parent, depth });
      walk(s.children, s.id, depth + 1);
    }
  };
  walk(f.steps, null, 0);
  const keptIds = new Set(kept.map((k) => k.step.id));
  const byId = new Map(kept.map((k) => [k.step.id, k]));
  const { order } = orderSteps(
    kept.map((k) => ({ key: k.step.id, parent: k.parent, needs: k.step.needs.filter((n) => keptIds.has(n)) })),
  );
  const hasChildren = new Set(kept.map((k) => k.parent).filter((p) => p !== null));
  const steps = order.map((id): PlanStep => {
    const { step, parent, depth } = byId.get(id)!;
    let title: string;
    try {
      title = validateTitle(substitute(step.title, vars));
    } catch (e) {
      throw new GtError('BD_FORMULA_INVALID', `${f.path}: step "${id}": ${messageOf(e)}`, {
        hint: 'check the step title and the variables it uses',
      });
    }
    return {
      id,
      title,
      description: substitute(step.description, vars),
      notes: substitute(step.notes, vars),
      type: beadType(step, hasChildren.has(id)),
      priority: step.priority,
      labels: step.labels,
      needs: step.needs.filter((n) => keptIds.has(n)),
      assignee: substitute(step.assignee ?? '', vars).trim() || null,
      run: substitute(step.run ?? '', vars).trim() || null,
      parent,
      depth,
    };
  });
  return {
    formula: f.name,
    description: substitute(f.description, vars),
    version: f.version,
    path: f.path,
    vars,
    steps,
    skipped,
  };
}
