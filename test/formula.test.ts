// bd formula list/show and bd cook through real processes: the seed's release example and formulas that are wrong.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, bdJson, tempStore } from './support/bd.ts';

const RELEASE = resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml');

interface PlanJson {
  formula: string;
  vars: Record<string, string>;
  steps: { id: string; title: string; description: string; needs: string[] }[];
}

/** A store with the release formula installed, and a HOME of its own so the tester's ~/.beads never leaks in. */
function setup(): { dir: string; home: string; env: { HOME: string }; cleanup: () => void } {
  const t = tempStore('rel');
  const home = join(t.dir, '..', 'home');
  mkdirSync(join(t.dir, '.beads', 'formulas'), { recursive: true });
  mkdirSync(home);
  copyFileSync(RELEASE, join(t.dir, '.beads', 'formulas', 'release.formula.toml'));
  return { ...t, home, env: { HOME: home } };
}

describe('bd cook and bd formula', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('cooks the release formula: five steps in order with the version substituted', () => {
    const t = setup();
    cleanup = t.cleanup;
    const plan = bdJson<PlanJson>(t.dir, ['cook', 'release', '--var', 'version=1.2.0'], { env: t.env });
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Bump version',
      'Run tests',
      'Build',
      'Create release tag',
      'Publish',
    ]);
    expect(plan.steps[0]!.description).toBe('Run ./scripts/bump-version.sh 1.2.0');
    const text = bd(t.dir, ['cook', 'release', '--var', 'version=1.2.0'], { env: t.env });
    expect(text.code).toBe(0);
    const order = ['bump-version', 'run-tests', 'build', 'create-tag', 'publish'].map((id) =>
      text.stdout.indexOf(`${id}:`),
    );
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(text.stdout).toContain("git tag -a v1.2.0 -m 'Release v1.2.0'");
    expect(text.stdout).not.toContain('{{version}}');
  });

  it('without --var names the missing variable in one line and exits 2', () => {
    const t = setup();
    cleanup = t.cleanup;
    const r = bd(t.dir, ['cook', 'release'], { env: t.env });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('Error: formula release: missing required variable version');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists formulas from the store and from ~/.beads/formulas, the store shadowing the user folder', () => {
    const t = setup();
    cleanup = t.cleanup;
    mkdirSync(join(t.home, '.beads', 'formulas'), { recursive: true });
    writeFileSync(join(t.home, '.beads', 'formulas', 'release.formula.toml'), '[[steps]]\nid = "x"\ntitle = "X"\n');
    writeFileSync(
      join(t.home, '.beads', 'formulas', 'tidy.formula.toml'),
      'description = "Tidy up"\n[[steps]]\nid = "x"\ntitle = "X"\n',
    );
    const list = bdJson<{ name: string; source: string; steps: number; description: string }[]>(
      t.dir,
      ['formula', 'list'],
      { env: t.env },
    );
    expect(list.map((f) => [f.name, f.source, f.steps])).toEqual([
      ['release', 'project', 5],
      ['tidy', 'user', 1],
    ]);
    const shown = bdJson<{ name: string; vars: { name: string; required: boolean }[]; steps: unknown[] }>(
      t.dir,
      ['formula', 'show', 'tidy'],
      { env: t.env },
    );
    expect(shown).toMatchObject({ name: 'tidy', vars: [], steps: [{ id: 'x' }] });
    expect(bd(t.dir, ['formula', 'show', 'release'], { env: t.env }).stdout).toContain('version (required)');
  });

  it('gives one-line errors for invalid TOML, a cycle and an unknown formula name, never a stack trace', () => {
    const t = setup();
    cleanup = t.cleanup;
    const dir = join(t.dir, '.beads', 'formulas');
    writeFileSync(join(dir, 'broken.formula.toml'), 'formula = "broken"\n[[steps]]\nid = "a\ntitle = "A"\n');
    writeFileSync(
      join(dir, 'loop.formula.toml'),
      '[[steps]]\nid = "a"\ntitle = "A"\nneeds = ["b"]\n[[steps]]\nid = "b"\ntitle = "B"\nneeds = ["a"]\n',
    );
    const cases: [string, RegExp][] = [
      ['broken', /^Error: .*broken\.formula\.toml:3:\d+: invalid TOML: .+$/],
      ['loop', /^Error: .*loop\.formula\.toml: steps wait for each other in a loop: a → b → a/],
      ['nope', /^Error: no formula "nope"; available: broken, loop, release$/],
    ];
    for (const [name, first] of cases) {
      const r = bd(t.dir, ['cook', name], { env: t.env });
      expect([1, 2]).toContain(r.code);
      expect(r.stderr.split('\n')[0]).toMatch(first);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const json = bd(t.dir, ['cook', 'loop', '--json'], { env: t.env });
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'BD_FORMULA_CYCLE' } });
    const list = bdJson<{ name: string; error?: string }[]>(t.dir, ['formula', 'list'], { env: t.env });
    expect(list.find((f) => f.name === 'broken')!.error).toContain('invalid TOML');
  });
});
