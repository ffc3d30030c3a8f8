// Formula data: what a `.formula.toml` file declares, and the resolved plan `cook` makes of it.
import type { IssueType } from '../model.ts';

export const FORMULA_TYPES = ['workflow', 'expansion', 'aspect', 'convoy'] as const;
export type FormulaType = (typeof FORMULA_TYPES)[number];

export interface VarDef {
  name: string;
  description: string;
  /** Used when no `--var` gives a value; never set together with `required`. */
  default?: string;
  required: boolean;
  /** Allowed values, when the variable is a choice. */
  enum?: string[];
  /** A regular expression the whole value must match. */
  pattern?: string;
}

/** A step as written in the file: text still holds `{{var}}` placeholders. */
export interface StepDef {
  id: string;
  title: string;
  description: string;
  notes: string;
  /** The type written in the file, if any (cook picks the bead type). */
  type?: string;
  priority: number;
  labels: string[];
  /** Step ids this step waits for (`needs` and `depends_on` together). */
  needs: string[];
  condition?: string;
  assignee?: string;
  /** A shell command `bd mol run` executes for this step. */
  run?: string;
  children: StepDef[];
}

export interface Formula {
  name: string;
  description: string;
  version: number;
  type: FormulaType;
  vars: VarDef[];
  steps: StepDef[];
  /** The file it was read from. */
  path: string;
}

/** One step of a cooked plan: placeholders substituted, in dependency order. */
export interface PlanStep {
  id: string;
  title: string;
  description: string;
  notes: string;
  type: IssueType;
  priority: number;
  labels: string[];
  needs: string[];
  assignee: string | null;
  run: string | null;
  /** The enclosing step's id, or null for a top-level step. */
  parent: string | null;
  depth: number;
}

export interface Plan {
  formula: string;
  description: string;
  version: number;
  path: string;
  vars: Record<string, string>;
  steps: PlanStep[];
  /** Steps left out because their condition was false (their children go with them). */
  skipped: string[];
}
