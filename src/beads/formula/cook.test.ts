// Cooking formulas into plans: variable checks, substitution, conditions and the dependency order.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFormula } from './load.ts';
import { parseFormula } from './parse.ts';
import { cookFormula } from './cook.ts';
import { orderSteps } from './graph.ts';
import { parseVarArgs } from './vars.ts';

const RELEASE = resolve(import.meta.dirname, '../../../test/fixtures/formulas/release.formula.toml');
const formula = (text: string) => parseFormula(text, '/f/x.formula.toml', 'x');
const step = (id: string, extra = ''): string => `[[steps]]\nid = "${id}"\ntitle = "${id}"\n${extra}\n`;

function error(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('cookFormula', () => {
  it('orders the release steps and substitutes the version', () => {
    const plan = cookFormula(readFormula(RELEASE), { version: '1.2.0' });
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Bump version',
      'Run tests',
      'Build',
      'Create release tag',
      'Publish',
    ]);
    expect(plan.steps[0]!.description).toBe('Run ./scripts/bump-version.sh 1.2.0');
    expect(plan.steps[3]!.description).toBe("Run git tag -a v1.2.0 -m 'Release v1.2.0'");
    expect(plan.vars).toEqual({ version: '1.2.0' });
  });

  it('names a missing required variable, and refuses values outside enum or pattern and unknown names', () => {
    expect(error(() => cookFormula(readFormula(RELEASE), {}))).toMatchObject({
      code: 'BD_FORMULA_VAR',
      message: 'formula release: missing required variable version',
    });
    const f = formula(
      `[vars.env]\nenum = ["staging", "prod"]\ndefault = "staging"\n[vars.n]\npattern = "[0-9]+"\ndefault = "1"\n${step('a')}`,
    );
    expect(error(() => cookFormula(f, { env: 'qa' })).message).toContain(
      'env is "qa"; it must be one of: staging, prod',
    );
    expect(error(() => cookFormula(f, { n: '12a' })).message).toContain('does not match the pattern [0-9]+');
    expect(error(() => cookFormula(f, { nope: '1' })).message).toContain('unknown variable "nope"');
    expect(cookFormula(f, {}).vars).toEqual({ env: 'staging', n: '1' });
  });

  it('keeps or drops steps by condition; children go with their step and needs on dropped steps vanish', () => {
    const f = formula(
      `[vars.mode]\ndefault = "fast"\n[vars.docs]\n${[
        step('a', 'condition = "{{mode}} == full"\n[[steps.children]]\nid = "a1"\ntitle = "A1"'),
        step('b', 'condition = "{{mode}} != full"\nneeds = ["a"]'),
        step('c', 'condition = "{{docs}}"'),
        step('d', 'condition = "!{{docs}}"'),
        step('e', `condition = "{{mode}} == 'fast'"`),
      ].join('')}`,
    );
    const fast = cookFormula(f, {});
    expect(fast.steps.map((s) => s.id)).toEqual(['b', 'd', 'e']);
    expect(fast.steps[0]!.needs).toEqual([]);
    expect(fast.skipped).toEqual(['a', 'c']);
    expect(cookFormula(f, { mode: 'full', docs: 'yes' }).steps.map((s) => s.id)).toEqual(['a', 'a1', 'c']);
    expect(cookFormula(f, { docs: 'off' }).steps.map((s) => s.id)).toEqual(['b', 'd', 'e']);
  });

  it('puts a child after whatever its parent waits for, and keeps file order between independent steps', () => {
    const f = formula(
      step('x', 'needs = ["y"]\ntype = "human"\n[[steps.children]]\nid = "x1"\ntitle = "X1"') + step('y') + step('z'),
    );
    const plan = cookFormula(f, {});
    expect(plan.steps.map((s) => `${s.id}:${s.parent ?? '-'}:${s.depth}`)).toEqual([
      'y:-:0',
      'x:-:0',
      'x1:x:1',
      'z:-:0',
    ]);
    expect(plan.steps.find((s) => s.id === 'x')!.type).toBe('task');
    const group = cookFormula(formula(step('p', '[[steps.children]]\nid = "c"\ntitle = "C"')), {});
    expect(group.steps.map((s) => s.type)).toEqual(['epic', 'task']);
  });

  it('substitutes run, assignee and title, and leaves undeclared placeholders alone', () => {
    const f = formula(`[vars]\nwho = "ada"\n${step('a', 'run = "deploy {{who}} {{later}}"\nassignee = "{{who}}"')}`);
    const [s] = cookFormula(f, {}).steps;
    expect(s).toMatchObject({ run: 'deploy ada {{later}}', assignee: 'ada' });
  });
});

describe('orderSteps', () => {
  it('reports a loop, first member repeated at the end, and still lists every step', () => {
    const r = orderSteps([
      { key: 'a', parent: null, needs: ['b'] },
      { key: 'b', parent: null, needs: ['a'] },
      { key: 'c', parent: null, needs: [] },
    ]);
    expect(r.cycle).toEqual(['a', 'b', 'a']);
    expect(r.order).toEqual(['c', 'a', 'b']);
  });
});

describe('parseVarArgs', () => {
  it('splits on the first = and refuses anything else', () => {
    expect(parseVarArgs(['version=1.2.0', 'msg=a=b', 'empty='])).toEqual({ version: '1.2.0', msg: 'a=b', empty: '' });
    expect(error(() => parseVarArgs(['version'])).code).toBe('BD_BAD_VAR');
  });
});
