// The host's workspace script, run by sh against a real repository (a path stands in for the town's git URL):
// one clone per rig, a worktree per polecat, a restart keeps the work, a name used again moves the old one aside.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from '../../git/git.ts';
import { testRepos } from '../../git/test-repos.ts';
import { workspaceScript } from './remote-workspace.ts';

const repos = testRepos('gt-host-ws-');
afterAll(() => repos.cleanup());

describe('workspaceScript', () => {
  it('makes one clone per rig on the host and a worktree per polecat on its branch', () => {
    const town = repos.repo();
    git(town, ['branch', 'polecat/nux/b-1']);
    const dir = join(repos.base, 'host dir');
    const tokenFile = join(repos.base, 'token');
    writeFileSync(tokenFile, 'gtt_x\n');
    const run = (name: string, branch: string, commit?: string): void => {
      const script = workspaceScript({
        dir,
        rig: 'app',
        workdir: `${dir}/work/app/${name}`,
        branch,
        ...(commit ? { commit } : {}),
        gitUrl: town,
        tokenFile,
        gt: `${dir}/bin/gt`,
      });
      const r = spawnSync('sh', ['-c', `set -e\n${script}`], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    run('nux', 'polecat/nux/b-1');
    const nux = join(dir, 'work', 'app', 'nux');
    expect(git(nux, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('polecat/nux/b-1');
    const base = join(dir, 'repos', 'app.git');
    expect(readFileSync(join(base, 'hooks', 'post-commit'), 'utf8')).toContain(`'${dir}/bin/gt' workspace push`);
    // A branch made in the town after the clone: fetched into the same clone, a second worktree.
    repos.commit(town, 'b.txt', 'b\n', 'second');
    git(town, ['branch', 'polecat/slit/b-2']);
    run('slit', 'polecat/slit/b-2');
    const slit = join(dir, 'work', 'app', 'slit');
    expect(readFileSync(join(slit, 'b.txt'), 'utf8')).toBe('b\n');
    for (const wd of [nux, slit]) expect(git(wd, ['rev-parse', '--git-common-dir']).trim()).toBe(base);
    // A restart keeps the polecat's work; the name used again for other work moves the old one aside.
    writeFileSync(join(nux, 'wip.txt'), 'mine\n');
    run('nux', 'polecat/nux/b-1');
    expect(readFileSync(join(nux, 'wip.txt'), 'utf8')).toBe('mine\n');
    git(town, ['branch', 'polecat/nux/b-3']);
    run('nux', 'polecat/nux/b-3');
    expect(git(nux, ['symbolic-ref', '--short', 'HEAD']).trim()).toBe('polecat/nux/b-3');
    expect(existsSync(join(nux, 'wip.txt'))).toBe(false);
    const old = readdirSync(join(dir, 'work', 'app', '.old'));
    expect(old).toHaveLength(1);
    expect(readFileSync(join(dir, 'work', 'app', '.old', old[0]!, 'wip.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(`${base}.lock`)).toBe(false);
    // A branch at a commit the host's clone has: made there without asking the town (a URL that cannot answer).
    const at = git(town, ['rev-parse', 'main']).trim();
    git(town, ['branch', 'polecat/ace/b-4']);
    const offline = workspaceScript({
      dir,
      rig: 'app',
      workdir: `${dir}/work/app/ace`,
      branch: 'polecat/ace/b-4',
      commit: at,
      gitUrl: join(repos.base, 'no such town'),
      tokenFile,
      gt: `${dir}/bin/gt`,
    });
    const r = spawnSync('sh', ['-c', `set -e\n${offline}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(git(join(dir, 'work', 'app', 'ace'), ['rev-parse', 'HEAD']).trim()).toBe(at);
  });
});
