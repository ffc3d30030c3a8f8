// Reading a `.formula.toml` file into a Formula, with one-line errors that name the file and the offending key.
import { parse, TomlError } from 'smol-toml';
import { messageOf, type GtError } from '../../kernel/index.ts';
import { parsePriority, validateLabel } from '../model.ts';
import { FORMULA_TYPES, type Formula, type FormulaType, type StepDef, type VarDef } from './types.ts';
import { checkStepGraph } from './graph.ts';
import { formulaError } from './errors.ts';
import { isCondition } from './vars.ts';

type Table = Record<string, unknown>;

const TOP_KEYS = ['formula', 'description', 'version', 'type', 'vars', 'steps'];
const VAR_KEYS = ['description', 'default', 'required', 'enum', 'pattern'];
const STEP_KEYS = [
  'id',
  'title',
  'description',
  'notes',
  'type',
  'priority',
  'labels',
  'needs',
  'depends_on',
  'condition',
  'assignee',
  'run',
  'children',
];
/** Keys of the Go original that this implementation does not carry out: refused rather than silently ignored. */
const UNSUPPORTED = new Set([
  'extends',
  'compose',
  'advice',
  'pointcuts',
  'template',
  'phase',
  'pour',
  'loop',
  'gate',
  'expand',
  'expand_vars',
  'waits_for',
  'on_complete',
  'metadata',
]);
const STEP_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isTable = (v: unknown): v is Table =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Parse and validate one formula; `stem` is the name its file gives it (`<stem>.formula.toml`). */
export function parseFormula(text: string, path: string, stem: string): Formula {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw formulaError(`${path}:${e.line}:${e.column}`, `invalid TOML: ${reason}`);
    }
    throw formulaError(path, `invalid TOML: ${messageOf(e)}`);
  }
  const r = new Reader(path);
  r.keys(doc, TOP_KEYS, 'the formula');
  const name = r.str(doc, 'formula', 'the formula') ?? stem;
  if (name !== stem)
    throw formulaError(
      path,
      `declares formula = "${name}" but the file is named ${stem}.formula.toml (they must agree)`,
    );
  const version = doc.version === undefined ? 1 : doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw formulaError(path, '"version" must be a whole number, 1 or more');
  const type = (r.str(doc, 'type', 'the formula') ?? 'workflow') as FormulaType;
  if (!FORMULA_TYPES.includes(type))
    throw formulaError(path, `"type" must be one of ${FORMULA_TYPES.join(', ')} (got "${type}")`);
  const vars = r.vars(doc.vars);
  if (doc.steps !== undefined && !Array.isArray(doc.steps))
    throw formulaError(path, 'steps must be written as [[steps]] tables');
  const steps = r.steps((doc.steps ?? []) as unknown[], '');
  if (type === 'workflow' && steps.length === 0) throw formulaError(path, 'has no [[steps]]');
  checkStepGraph(steps, path);
  return { name, description: r.str(doc, 'description', 'the formula') ?? '', version, type, vars, steps, path };
}

class Reader {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  fail(message: string): GtError {
    return formulaError(this.path, message);
  }

  keys(t: Table, known: readonly string[], where: string): void {
    for (const k of Object.keys(t)) {
      if (UNSUPPORTED.has(k)) throw this.fail(`${where} uses "${k}", which this bd does not support`);
      if (!known.includes(k)) throw this.fail(`${where} has an unknown key "${k}" (known keys: ${known.join(', ')})`);
    }
  }

  str(t: Table, key: string, where: string): string | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.fail(`${where}: "${key}" must be a string`);
    return v;
  }

  strList(t: Table, key: string, where: string): string[] {
    const v = t[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw this.fail(`${where}: "${key}" must be a list of strings`);
    return v as string[];
  }

  vars(raw: unknown): VarDef[] {
    if (raw === undefined) return [];
    if (!isTable(raw)) throw this.fail('vars must be a table: [vars.<name>] or vars.<name> = "default"');
    return Object.entries(raw).map(([name, v]) => {
      const where = `variable "${name}"`;
      if (!VAR_NAME.test(name)) throw this.fail(`${where}: names are letters, digits and _, not starting with a digit`);
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        return { name, description: '', default: String(v), required: false };
      if (!isTable(v)) throw this.fail(`${where} must be a string (its default) or a table`);
      this.keys(v, VAR_KEYS, where);
      const def: VarDef = { name, description: this.str(v, 'description', where) ?? '', required: false };
      if (v.required !== undefined && typeof v.required !== 'boolean')
        throw this.fail(`${where}: "required" must be true or false`);
      def.required = v.required === true;
      if (v.default !== undefined) {
        if (!['string', 'number', 'boolean'].includes(typeof v.default))
          throw this.fail(`${where}: "default" must be a string`);
        if (def.required) throw this.fail(`${where} is required and also has a default; keep one of them`);
        def.default = String(v.default);
      }
      if (v.enum !== undefined) {
        if (
          !Array.isArray(v.enum) ||
          v.enum.length === 0 ||
          v.enum.some((x) => !['string', 'number', 'boolean'].includes(typeof x))
        ) {
          throw this.fail(`${where}: "enum" must be a non-empty list of values`);
        }
        def.enum = v.enum.map(String);
      }
      const pattern = this.str(v, 'pattern', where);
      if (pattern !== undefined) {
        try {
          new RegExp(pattern);
        } catch (e) {
          throw this.fail(`${where}: "pattern" is not a valid regular expression: ${messageOf(e)}`);
        }
        def.pattern = pattern;
      }
      return def;
    });
  }

  steps(raw: unknown[], within: string): StepDef[] {
    return raw.map((s, i) => {
      const anon = `${within}[[steps]] number ${i + 1}`;
      if (!isTable(s)) throw this.fail(`${anon} must be a table`);
      const id = this.str(s, 'id', anon);
      if (!id) throw this.fail(`${anon} has no "id"`);
      const where = `step "${id}"`;
      if (!STEP_ID.test(id))
        throw this.fail(`${where}: ids are letters, digits and . _ : -, starting with a letter or digit`);
      this.keys(s, STEP_KEYS, where);
      const title = this.str(s, 'title', where);
      if (!title?.trim()) throw this.fail(`${where} has no "title"`);
      let priority = 2;
      if (s.priority !== undefined) {
        if (typeof s.priority !== 'number' && typeof s.priority !== 'string')
          throw this.fail(`${where}: "priority" must be 0–4`);
        priority = this.wrap(where, () => parsePriority(s.priority as string | number));
      }
      const labels = this.strList(s, 'labels', where).map((l) => this.wrap(where, () => validateLabel(l)));
      if (s.children !== undefined && !Array.isArray(s.children))
        throw this.fail(`${where}: children must be written as [[steps.children]] tables`);
      const step: StepDef = {
        id,
        title,
        description: this.str(s, 'description', where) ?? '',
        notes: this.str(s, 'notes', where) ?? '',
        priority,
        labels,
        needs: [...new Set([...this.strList(s, 'needs', where), ...this.strList(s, 'depends_on', where)])],
        children: this.steps((s.children ?? []) as unknown[], `${where}: `),
      };
      for (const k of ['type', 'condition', 'assignee', 'run'] as const) {
        const v = this.str(s, k, where);
        if (v !== undefined) step[k] = v;
      }
      if (step.condition !== undefined && step.condition.trim() && !isCondition(step.condition)) {
        throw this.fail(
          `${where} has condition "${step.condition}"; write {{var}}, !{{var}}, {{var}} == value or {{var}} != value`,
        );
      }
      return step;
    });
  }

  private wrap<T>(where: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.fail(`${where}: ${messageOf(e)}`);
    }
  }
}
