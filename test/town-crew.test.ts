// gt crew add|list|remove: full clones with their own identity, never deleted while they hold work.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Member {
  rig: string;
  name: string;
  path: string;
  branch?: string;
  uncommitted?: number;
  git_name?: string;
  git_email?: string;
}

describe('gt crew', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};

  beforeAll(() => {
    const t = tempDir('gt crew');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'trunk', { 'app.js': 'x\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(() => cleanup());

  it('clones the rig with the crew identity; origin is the project, rig is the shared repository', () => {
    const m = gtJson<Member>(town, ['crew', 'add', 'alice', '--rig', 'app']);
    const dir = join(town, 'app', 'crew', 'alice');
    expect(m).toMatchObject({ rig: 'app', name: 'alice', path: dir, branch: 'trunk', git_name: 'app/crew/alice' });
    expect(git(dir, ['config', 'user.name']).trim()).toBe('app/crew/alice');
    expect(git(dir, ['config', 'user.email']).trim()).toBe('app.crew.alice@gastown.local');
    expect(git(dir, ['remote', 'get-url', 'origin']).trim()).toBe(join(base, 'app src'));
    expect(git(dir, ['remote', 'get-url', 'rig']).trim()).toBe(join(town, 'app', '.repo.git'));
    expect(git(dir, ['rev-parse', '--is-inside-work-tree']).trim()).toBe('true');
    expect(existsSync(join(dir, '.git', 'config'))).toBe(true); // a full clone, not a worktree
    gtJson(town, ['crew', 'add', 'bob', '--rig', 'app']);
    expect(gtJson<Member[]>(town, ['crew', 'list']).map((c) => `${c.rig}/${c.name}`)).toEqual(['app/alice', 'app/bob']);
    expect(gtJson<Member[]>(town, ['crew', 'list', '--rig', 'app']).length).toBe(2);
  });

  it('refuses bad input: unknown rig, bad name, a name taken', () => {
    expectFailure(gt(town, ['crew', 'add', 'carol', '--rig', 'nope']), 2, /no rig named "nope"/);
    expectFailure(gt(town, ['crew', 'add', 'car ol', '--rig', 'app']), 2, /invalid crew name "car ol"/);
    expectFailure(gt(town, ['crew', 'add', 'alice', '--rig', 'app']), 1, /already has a crew member "alice"/);
    expectFailure(gt(town, ['crew', 'remove', 'zed', '--rig', 'app']), 2, /has no crew member "zed"/);
    expectFailure(gt(town, ['crew', 'list', '--rig', 'nope']), 2, /no rig named "nope"/);
  });

  it('refuses to remove a clone holding uncommitted or unpushed work, naming it and where, and removes it once pushed', () => {
    const dir = join(town, 'app', 'crew', 'alice');
    writeFileSync(join(dir, 'notes.md'), 'draft\n');
    expectFailure(
      gt(town, ['crew', 'remove', 'alice', '--rig', 'app']),
      1,
      /crew alice of rig "app" still holds work: 1 uncommitted file \(notes\.md\), in .*app\/crew\/alice/,
    );
    commitAll(dir, 'notes');
    const sha = git(dir, ['rev-parse', 'HEAD']).trim();
    expectFailure(
      gt(town, ['crew', 'remove', 'alice', '--rig', 'app']),
      1,
      new RegExp(`1 unpushed commit \\(${sha.slice(0, 12)} "notes"\\)`),
    );
    expectFailure(gt(town, ['rig', 'remove', 'app']), 1, /crew alice holds 1 unpushed commit/);
    git(dir, ['push', '-q', 'rig', 'HEAD:refs/heads/alice-notes']);
    // Pushed to the rig only: the clone may go (the rig keeps it), the rig may not (nothing else has it).
    expectFailure(
      gt(town, ['rig', 'remove', 'app']),
      1,
      new RegExp(`branch alice-notes holds 1 commit not in .*app src: ${sha.slice(0, 12)} "notes"`),
    );
    const r = gtJson<Member>(town, ['crew', 'remove', 'alice', '--rig', 'app']);
    expect(r.name).toBe('alice');
    expect(existsSync(dir)).toBe(false);
    expect(gtJson<Member[]>(town, ['crew', 'list']).map((c) => c.name)).toEqual(['bob']);
  });

  it('gt crew remove --force asks for the name and saves committed and uncommitted work to a bundle first', () => {
    const dir = join(town, 'app', 'crew', 'bob');
    writeFileSync(join(dir, 'committed.md'), 'c\n');
    commitAll(dir, 'bob commit');
    writeFileSync(join(dir, 'draft.md'), 'not committed\n');
    expectFailure(
      gt(town, ['crew', 'remove', 'bob', '--rig', 'app', '--force', '--yes', 'alice']),
      2,
      /was not confirmed/,
    );
    expect(existsSync(dir)).toBe(true);
    const r = gt(town, ['crew', 'remove', 'bob', '--rig', 'app', '--force'], { input: 'bob\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Type the crew member's name \(bob\)/);
    const bundle = /saved first to (.*?\.bundle) /.exec(r.stdout)![1]!;
    expect(existsSync(dir)).toBe(false);
    const back = join(base, 'bob back');
    git(base, ['clone', '-q', '--mirror', bundle, back]);
    expect(git(back, ['log', '-1', '--format=%s', 'trunk']).trim()).toBe('bob commit');
    expect(git(back, ['show', 'refs/gt/saved/uncommitted:draft.md'])).toBe('not committed\n');
  });
});
