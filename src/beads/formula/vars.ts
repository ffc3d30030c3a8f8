// Formula variables: `--var k=v` arguments, checking values against their declarations, `{{var}}` and conditions.
import { GtError, usageError } from '../../kernel/index.ts';
import type { Formula } from './types.ts';
import { flattenSteps } from './graph.ts';

const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** `["version=1.2.0", "name=a=b"]` → `{version: "1.2.0", name: "a=b"}`; the last of a repeated name wins. */
export function parseVarArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = eq < 0 ? '' : a.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw usageError('BD_BAD_VAR', `--var "${a}" is not name=value`, 'write it as --var version=1.2.0');
    }
    out[name] = a.slice(eq + 1);
  }
  return out;
}

/** Replace `{{name}}` with its value; placeholders with no value are left as they are. */
export function substitute(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : m));
}

/** Every placeholder name used anywhere in the formula's text. */
export function placeholdersOf(f: Formula): Set<string> {
  const names = new Set<string>();
  const scan = (t: string | undefined): void => {
    for (const m of (t ?? '').matchAll(PLACEHOLDER)) names.add(m[1]!);
  };
  scan(f.description);
  for (const { step } of flattenSteps(f.steps)) {
    for (const t of [step.title, step.description, step.notes, step.assignee, step.run, step.condition]) scan(t);
  }
  return names;
}

function varError(f: Formula, message: string, hint: string): GtError {
  return new GtError('BD_FORMULA_VAR', `formula ${f.name}: ${message}`, { kind: 'usage', hint });
}

/**
 * The values cook uses: given ones, then defaults; a declared variable with neither is empty.
 * Fails on a missing required variable, a value outside `enum` or not matching `pattern`, and a name the formula
 * neither declares nor uses.
 */
export function resolveVars(f: Formula, given: Readonly<Record<string, string>>): Record<string, string> {
  const declared = new Map(f.vars.map((v) => [v.name, v]));
  const used = placeholdersOf(f);
  for (const name of Object.keys(given)) {
    if (!declared.has(name) && !used.has(name)) {
      const known = f.vars.map((v) => v.name);
      throw varError(
        f,
        `unknown variable "${name}"`,
        known.length ? `this formula takes: ${known.join(', ')}` : 'this formula takes no variables',
      );
    }
  }
  const missing = f.vars.filter((v) => v.required && !Object.hasOwn(given, v.name));
  if (missing.length > 0) {
    const names = missing.map((v) => v.name);
    const example = names.map((n) => `--var ${n}=…`).join(' ');
    throw varError(
      f,
      `missing required variable${names.length > 1 ? 's' : ''} ${names.join(', ')}`,
      `pass ${example}${missing[0]!.description ? ` (${names[0]}: ${missing[0]!.description})` : ''}`,
    );
  }
  const out: Record<string, string> = {};
  for (const v of f.vars) out[v.name] = given[v.name] ?? v.default ?? '';
  for (const [k, val] of Object.entries(given)) out[k] = val;
  for (const v of f.vars) {
    const val = out[v.name]!;
    if (v.enum && !v.enum.includes(val))
      throw varError(
        f,
        `variable ${v.name} is "${val}"; it must be one of: ${v.enum.join(', ')}`,
        `pass --var ${v.name}=${v.enum[0]}`,
      );
    if (v.pattern && !new RegExp(`^(?:${v.pattern})$`).test(val)) {
      throw varError(
        f,
        `variable ${v.name} is "${val}", which does not match the pattern ${v.pattern}`,
        `pass a value for ${v.name} that matches ${v.pattern}`,
      );
    }
  }
  return out;
}

const FALSY = new Set(['', 'false', '0', 'no', 'off']);
const CONDITION = /^(!?)\s*\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}\s*(?:(==|!=)\s*(.*))?$/;

/** True when `condition` is written in one of the forms `evalCondition` understands. */
export function isCondition(condition: string): boolean {
  const m = CONDITION.exec(condition.trim());
  return m !== null && !(m[1] && m[3]);
}

/**
 * Whether a step is kept: `{{var}}` (true unless empty, false, 0, no or off), `!{{var}}`, `{{var}} == value`,
 * `{{var}} != value` (the value may be quoted). No condition keeps the step; parse has checked the form.
 */
export function evalCondition(condition: string | undefined, vars: Readonly<Record<string, string>>): boolean {
  const m = CONDITION.exec((condition ?? '').trim());
  if (!m) return true;
  const actual = vars[m[2]!] ?? '';
  if (m[3]) {
    const expected = m[4]!.trim().replace(/^(["'])(.*)\1$/, '$2');
    return m[3] === '==' ? actual === expected : actual !== expected;
  }
  const truthy = !FALSY.has(actual.toLowerCase());
  return m[1] ? !truthy : truthy;
}
