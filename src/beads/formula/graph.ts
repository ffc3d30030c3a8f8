// The step graph: structural checks of a formula's steps, and the dependency order shared by cook and molecules.
import type { StepDef } from './types.ts';
import { formulaError } from './errors.ts';

/** A step for ordering: what it waits for, and the step that encloses it. */
export interface OrderNode {
  key: string;
  parent: string | null;
  needs: readonly string[];
}

export interface Ordering {
  /** Every key once: dependency order, ties in input order (a cycle's members follow in input order). */
  order: string[];
  /** A loop among the steps, first member repeated at the end; absent when there is none. */
  cycle?: string[];
}

/**
 * Topological order. A step waits for its own `needs` and for those of every enclosing step (a child is blocked
 * while its parent is); needs naming keys outside `nodes` are ignored.
 */
export function orderSteps(nodes: readonly OrderNode[]): Ordering {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const waits = nodes.map((n) => {
    const w = new Set<string>();
    for (let a: OrderNode | undefined = n; a; a = a.parent === null ? undefined : byKey.get(a.parent)) {
      for (const k of a.needs) if (k !== n.key && byKey.has(k)) w.add(k);
    }
    return w;
  });
  const done = new Set<string>();
  const order: string[] = [];
  const left = nodes.map((_, i) => i);
  while (left.length > 0) {
    const at = left.findIndex((i) => [...waits[i]!].every((k) => done.has(k)));
    if (at < 0) {
      const cycle = findCycle(nodes, waits, done);
      return { order: [...order, ...left.map((i) => nodes[i]!.key)], cycle };
    }
    const [i] = left.splice(at, 1);
    done.add(nodes[i!]!.key);
    order.push(nodes[i!]!.key);
  }
  return { order };
}

/** Every step left is waiting on another step left, so walking "waits for" edges must revisit one. */
function findCycle(nodes: readonly OrderNode[], waits: Set<string>[], done: Set<string>): string[] {
  const index = new Map(nodes.map((n, i) => [n.key, i]));
  const path: string[] = [];
  let key = nodes.find((n) => !done.has(n.key))!.key;
  while (!path.includes(key)) {
    path.push(key);
    key = [...waits[index.get(key)!]!].find((k) => !done.has(k))!;
  }
  return [...path.slice(path.indexOf(key)), key];
}

/** Every step with its parent and depth, in file order (parents before their children). */
export function flattenSteps(
  steps: readonly StepDef[],
  parent: string | null = null,
  depth = 0,
): { step: StepDef; parent: string | null; depth: number }[] {
  return steps.flatMap((s) => [{ step: s, parent, depth }, ...flattenSteps(s.children, s.id, depth + 1)]);
}

/** Refuse duplicate ids, needs naming no step, a step needing itself or its own parent or child, and loops. */
export function checkStepGraph(steps: readonly StepDef[], path: string): void {
  const flat = flattenSteps(steps);
  const parentOf = new Map<string, string | null>();
  for (const { step, parent } of flat) {
    if (parentOf.has(step.id)) throw formulaError(path, `duplicate step id "${step.id}"`, 'BD_FORMULA_DUPLICATE_STEP');
    parentOf.set(step.id, parent);
  }
  const encloses = (outer: string, inner: string): boolean => {
    for (let p = parentOf.get(inner) ?? null; p !== null; p = parentOf.get(p) ?? null) if (p === outer) return true;
    return false;
  };
  for (const { step } of flat) {
    for (const n of step.needs) {
      if (n === step.id) throw formulaError(path, `step "${step.id}" needs itself`, 'BD_FORMULA_CYCLE');
      if (!parentOf.has(n)) {
        throw formulaError(
          path,
          `step "${step.id}" needs "${n}", which is not a step of this formula (steps: ${[...parentOf.keys()].join(', ')})`,
          'BD_FORMULA_UNKNOWN_STEP',
        );
      }
      if (encloses(n, step.id) || encloses(step.id, n)) {
        throw formulaError(
          path,
          `step "${step.id}" needs "${n}", its own ${encloses(n, step.id) ? 'parent' : 'child'} step; a step may only need steps outside its own family`,
          'BD_FORMULA_BAD_NEED',
        );
      }
    }
  }
  const { cycle } = orderSteps(flat.map(({ step, parent }) => ({ key: step.id, parent, needs: step.needs })));
  if (cycle) {
    throw formulaError(
      path,
      `steps wait for each other in a loop: ${cycle.join(' → ')} (a step also waits for what its parent step needs)`,
      'BD_FORMULA_CYCLE',
    );
  }
}
