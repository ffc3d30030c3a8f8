// Reading formula files: the seed's release example, and the one-line errors for files that are wrong.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFormula } from './load.ts';
import { parseFormula } from './parse.ts';

const RELEASE = resolve(import.meta.dirname, '../../../test/fixtures/formulas/release.formula.toml');

/** The error message `parseFormula` throws for `text`, or '' when it parses. */
function problem(text: string): string {
  try {
    parseFormula(text, '/f/x.formula.toml', 'x');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

const step = (id: string, extra = ''): string => `[[steps]]\nid = "${id}"\ntitle = "${id}"\n${extra}\n`;

describe('parseFormula', () => {
  it('reads the release example as written in the seed document', () => {
    const f = readFormula(RELEASE);
    expect(f).toMatchObject({ name: 'release', description: 'Standard release process', version: 1, type: 'workflow' });
    expect(f.vars).toEqual([
      { name: 'version', description: 'The semantic version to release (e.g., 1.2.0)', required: true },
    ]);
    expect(f.steps.map((s) => [s.id, s.needs])).toEqual([
      ['bump-version', []],
      ['run-tests', ['bump-version']],
      ['build', ['run-tests']],
      ['create-tag', ['build']],
      ['publish', ['create-tag']],
    ]);
  });

  it('accepts bare-string defaults, depends_on as an alias of needs, nested children and run', () => {
    const f = parseFormula(
      `[vars]\nenv = "staging"\n${step('a')}${step('b', 'depends_on = ["a"]\nrun = "make"\n[[steps.children]]\nid = "b1"\ntitle = "B1"\npriority = "P1"')}`,
      '/f/x.formula.toml',
      'x',
    );
    expect(f.vars).toEqual([{ name: 'env', description: '', default: 'staging', required: false }]);
    expect(f.steps[1]).toMatchObject({ id: 'b', needs: ['a'], run: 'make', children: [{ id: 'b1', priority: 1 }] });
  });

  it('reports invalid TOML with the path, line and column of the parser', () => {
    expect(problem('formula = "x"\n[[steps]]\nid = "a\n')).toMatch(/^\/f\/x\.formula\.toml:3:\d+: invalid TOML: /);
  });

  it('refuses structural mistakes with one line naming the step or key', () => {
    expect(problem(step('a') + step('a'))).toBe('/f/x.formula.toml: duplicate step id "a"');
    expect(problem(step('a', 'needs = ["zz"]'))).toContain('step "a" needs "zz", which is not a step of this formula');
    expect(problem(step('a', 'needs = ["b"]') + step('b', 'needs = ["a"]'))).toContain('loop: a → b → a');
    expect(problem(step('a', 'need = ["b"]'))).toContain('step "a" has an unknown key "need"');
    expect(problem(step('a', 'loop = { count = 2 }'))).toContain(
      'step "a" uses "loop", which this bd does not support',
    );
    expect(problem('[[steps]]\ntitle = "no id"\n')).toContain('[[steps]] number 1 has no "id"');
    expect(problem(step('a', 'condition = "{{x}} > 3"'))).toContain('has condition "{{x}} > 3"');
    expect(problem(`[vars.v]\nrequired = true\ndefault = "1"\n${step('a')}`)).toContain(
      'variable "v" is required and also has a default',
    );
    expect(problem(`[vars.v]\npattern = "("\n${step('a')}`)).toContain('"pattern" is not a valid regular expression');
    expect(problem(`formula = "other"\n${step('a')}`)).toContain(
      'declares formula = "other" but the file is named x.formula.toml',
    );
    expect(problem('description = "nothing to do"\n')).toContain('has no [[steps]]');
    for (const m of [problem(step('a') + step('a')), problem('[[steps]]\nid = "a\n')])
      expect(m.split('\n')).toHaveLength(1);
  });

  it('refuses a step that needs its own parent or child (the store would deadlock on it)', () => {
    expect(problem(step('p', '[[steps.children]]\nid = "c"\ntitle = "C"\nneeds = ["p"]'))).toContain(
      'its own parent step',
    );
    expect(problem(step('p', 'needs = ["c"]\n[[steps.children]]\nid = "c"\ntitle = "C"'))).toContain(
      'its own child step',
    );
  });
});
