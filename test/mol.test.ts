// bd mol through real processes: pour the release formula and walk it, wisps stay out of the ledger, run, squash, burn.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bd, bdJson, tempStore } from './support/bd.ts';

const RELEASE = resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml');

interface Bead {
  id: string;
  title: string;
  description: string;
  status: string;
  issue_type: string;
  ephemeral: boolean;
  metadata: Record<string, unknown> | null;
  comments?: { text: string }[];
}
interface Poured {
  molecule: Bead;
  steps: { id: string; step: string; title: string; needs: string[] }[];
}
interface Shown {
  id: string;
  done: number;
  total: number;
  steps: { id: string; title: string; state: string }[];
}

const CHECK = `formula = "check"
description = "Build and check"
[vars.fail]
description = "set to make the test step fail"
[[steps]]
id = "build"
title = "Build"
run = "echo built > build.txt"
[[steps]]
id = "test"
title = "Test"
needs = ["build"]
run = "echo running tests; test -z '{{fail}}' || { echo 'assertion failed: 1 != 2' >&2; exit 3; }"
[[steps]]
id = "review"
title = "Review"
needs = ["test"]
`;

/** A store with the release and check formulas (the store's folder shadows any in the tester's ~/.beads). */
function setup(): { dir: string; cleanup: () => void } {
  const t = tempStore('mol');
  const formulas = join(t.dir, '.beads', 'formulas');
  mkdirSync(formulas, { recursive: true });
  copyFileSync(RELEASE, join(formulas, 'release.formula.toml'));
  writeFileSync(join(formulas, 'check.formula.toml'), CHECK);
  return t;
}

const ledger = (dir: string): string => readFileSync(join(dir, '.beads', 'issues.jsonl'), 'utf8');

describe('bd mol', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('pours the release formula into 6 beads that advance one step at a time', () => {
    const t = setup();
    cleanup = t.cleanup;
    const p = bdJson<Poured>(t.dir, ['mol', 'pour', 'release', '--var', 'version=1.2.0']);
    expect(p.molecule).toMatchObject({
      issue_type: 'molecule',
      title: 'Standard release process',
      metadata: { formula: 'release', vars: { version: '1.2.0' } },
    });
    expect(p.steps.map((s) => s.id)).toEqual([1, 2, 3, 4, 5].map((n) => `${p.molecule.id}.${n}`));
    expect(p.steps[1]!.needs).toEqual([p.steps[0]!.id]);
    expect(bdJson<Bead[]>(t.dir, ['list', '--all', '-n', '0'])).toHaveLength(6);
    expect(bdJson<Bead[]>(t.dir, ['ready']).map((b) => b.title)).toEqual(['Bump version']);
    expect(bdJson<Bead[]>(t.dir, ['show', p.steps[0]!.id])[0]!.description).toBe('Run ./scripts/bump-version.sh 1.2.0');
    const titles = ['Bump version', 'Run tests', 'Build', 'Create release tag', 'Publish'];
    for (let i = 0; i < 5; i++) {
      expect(bdJson<Bead[]>(t.dir, ['ready']).map((b) => b.title)).toEqual([titles[i]]);
      const shown = bdJson<Shown>(t.dir, ['mol', 'show', p.molecule.id]);
      expect(shown.steps.map((s) => s.state)).toEqual(
        titles.map((_, j) => (j < i ? 'done' : j === i ? 'ready' : 'blocked')),
      );
      expect([shown.done, shown.total]).toEqual([i, 5]);
      bdJson(t.dir, ['close', p.steps[i]!.id]);
    }
    expect(bdJson<Bead[]>(t.dir, ['ready'])).toEqual([]);
    expect(bdJson<{ id: string; done: number; total: number }[]>(t.dir, ['mol', 'list'])).toMatchObject([
      { id: p.molecule.id, done: 5, total: 5 },
    ]);
    expect(bd(t.dir, ['mol', 'show', p.molecule.id]).stdout).toContain('✓');
  });

  it('keeps wisps out of .beads/issues.jsonl, and squashing one leaves only its digest there', () => {
    const t = setup();
    cleanup = t.cleanup;
    const w = bdJson<Poured>(t.dir, ['mol', 'wisp', 'release', '--var', 'version=2.0.0']);
    expect(w.molecule.ephemeral).toBe(true);
    bdJson(t.dir, ['close', w.steps[0]!.id]);
    const text = ledger(t.dir);
    for (const id of [w.molecule.id, ...w.steps.map((s) => s.id)]) expect(text).not.toContain(`"${id}"`);
    expect(bdJson<{ id: string; done: number }[]>(t.dir, ['mol', 'list'])).toMatchObject([
      { id: w.molecule.id, done: 1 },
    ]);
    const sq = bdJson<{ digest: Bead; deleted: string[] }>(t.dir, [
      'mol',
      'squash',
      w.molecule.id,
      '--summary',
      'trial run',
    ]);
    expect(sq.deleted).toHaveLength(6);
    const lines = ledger(t.dir)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Bead);
    expect(lines.map((b) => b.id)).toEqual([sq.digest.id]);
    expect(lines[0]).toMatchObject({ status: 'closed', title: 'Digest: Standard release process' });
    expect(lines[0]!.description).toMatch(/^trial run\n[\s\S]*- \[x\] Bump version/);
  });

  it('squashes a poured molecule: open steps closed, one closed digest; burn deletes another', () => {
    const t = setup();
    cleanup = t.cleanup;
    const p = bdJson<Poured>(t.dir, ['mol', 'pour', 'release', '--var', 'version=1.2.0']);
    const sq = bdJson<{ digest: Bead; closed: string[] }>(t.dir, ['mol', 'squash', p.molecule.id]);
    expect(sq.closed).toHaveLength(5);
    expect(bdJson<Bead[]>(t.dir, ['show', p.molecule.id])[0]!.status).toBe('closed');
    expect(bdJson<Bead[]>(t.dir, ['show', sq.digest.id])[0]!).toMatchObject({
      status: 'closed',
      close_reason: 'Squashed from 5 steps',
    });
    expect(bd(t.dir, ['mol', 'squash', p.molecule.id]).stderr).toContain('already squashed');
    const other = bdJson<Poured>(t.dir, ['mol', 'pour', 'release', '--var', 'version=1.3.0']);
    expect(bdJson<{ deleted: string[] }>(t.dir, ['mol', 'burn', other.molecule.id]).deleted).toHaveLength(6);
    expect(bd(t.dir, ['show', other.steps[0]!.id]).code).toBe(1);
    expect(bdJson<unknown[]>(t.dir, ['mol', 'list', '--all'])).toHaveLength(1);
  });

  it('runs steps with `run` in order, closing each, and stops at a step that needs a person', () => {
    const t = setup();
    cleanup = t.cleanup;
    const p = bdJson<Poured>(t.dir, ['mol', 'pour', 'check']);
    const r = bd(t.dir, ['mol', 'run', p.molecule.id]);
    expect(r.code).toBe(0);
    expect(existsSync(join(t.dir, 'build.txt'))).toBe(true);
    expect(r.stdout).toContain(
      `Stopped at step ${p.steps[2]!.id} "Review": it has no run command, so it needs a person or an agent`,
    );
    expect(bdJson<Shown>(t.dir, ['mol', 'show', p.molecule.id]).steps.map((s) => s.state)).toEqual([
      'done',
      'done',
      'ready',
    ]);
    bdJson(t.dir, ['close', p.steps[2]!.id]);
    expect(bdJson<{ outcome: string }>(t.dir, ['mol', 'run', p.molecule.id]).outcome).toBe('done');
  });

  it('stops at a failing step: exit 1, the step stays open and its output becomes a comment', () => {
    const t = setup();
    cleanup = t.cleanup;
    const p = bdJson<Poured>(t.dir, ['mol', 'pour', 'check', '--var', 'fail=yes']);
    const r = bd(t.dir, ['mol', 'run', p.molecule.id]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Step ${p.steps[1]!.id} "Test" failed (exit 3)`);
    const test = bdJson<Bead[]>(t.dir, ['show', p.steps[1]!.id])[0]!;
    expect(test.status).toBe('open');
    expect(test.comments!.map((c) => c.text).join('\n')).toMatch(
      /exited 3[\s\S]*running tests[\s\S]*assertion failed: 1 != 2/,
    );
    expect(bdJson<Bead[]>(t.dir, ['show', p.steps[0]!.id])[0]!.status).toBe('closed');
    expect(bdJson<Bead[]>(t.dir, ['show', p.steps[2]!.id])[0]!.status).toBe('open');
    const json = bd(t.dir, ['mol', 'run', p.molecule.id, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'failed', exit_code: 3, step: { id: p.steps[1]!.id } });
  });

  it('refuses to treat an ordinary bead as a molecule', () => {
    const t = setup();
    cleanup = t.cleanup;
    const b = bdJson<Bead>(t.dir, ['create', 'Plain task']);
    const r = bd(t.dir, ['mol', 'show', b.id]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Error: ${b.id} is a task, not a molecule`);
  });
});

describe('wisps and persistent beads', () => {
  it('refuses an edge from a persistent bead to a wisp, which could not travel through git', () => {
    const t = setup();
    try {
      const w = bdJson<Poured>(t.dir, ['mol', 'wisp', 'release', '--var', 'version=3.0.0']);
      const p = bdJson<Bead>(t.dir, ['create', 'Persistent']);
      const r = bd(t.dir, ['dep', 'add', p.id, w.steps[0]!.id]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ephemeral');
      expect(ledger(t.dir)).not.toContain(w.steps[0]!.id);
    } finally {
      t.cleanup();
    }
  });
});
