// The git wrapper's repository and worktree operations, against real git in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { branchExists, cloneBare, createInitialCommit, hasCommits, headBranch, readFileAt } from './repo.ts';
import { addWorktree, describeHeldWork, heldWork, listWorktrees, removeWorktree } from './worktree.ts';

const base = mkdtempSync(join(tmpdir(), 'git wrapper '));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const who = { name: 'T', email: 't@example.com' };

describe('bare repositories and worktrees', () => {
  it('gives an empty repository a first commit, then worktrees branch from it and report what they hold', () => {
    const src = join(base, 'src repo');
    git(base, ['init', '-q', '-b', 'trunk', src]);
    const bare = join(base, 'b.git');
    cloneBare(src, bare);
    expect(hasCommits(bare)).toBe(false);
    expect(headBranch(bare)).toBe('trunk');
    createInitialCommit(bare, 'trunk', who);
    expect(branchExists(bare, 'trunk')).toBe(true);

    const wt = join(base, 'work tree');
    addWorktree(bare, wt, 'feature/x', { newBranch: true, startPoint: 'trunk' });
    expect(listWorktrees(bare).find((w) => w.path === wt)).toMatchObject({ branch: 'feature/x', bare: false });
    expect(heldWork(wt, 'trunk')).toEqual({ uncommitted: [], unmerged: 0, unpushed: 0, stashes: 0 });

    writeFileSync(join(wt, 'a b.txt'), 'x');
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=T', '-c', 'user.email=t@x', 'commit', '-qm', 'a']);
    writeFileSync(join(wt, 'c.txt'), 'y');
    const held = heldWork(wt, 'trunk');
    expect(held).toMatchObject({ uncommitted: ['c.txt'], unmerged: 1 });
    expect(describeHeldWork(held, 'trunk')).toBe('1 uncommitted file (c.txt), 1 commit not on trunk');
    expect(readFileAt(bare, 'feature/x', 'a b.txt')).toBe('x');
    expect(readFileAt(bare, 'trunk', 'a b.txt')).toBeUndefined();
    expect(() => removeWorktree(bare, wt)).toThrow(/GIT|contains modified or untracked files/);
  });

  it('reports an unreachable source in one line', () => {
    expect(() => cloneBare('file:///nonexistent/repo.git', join(base, 'x.git'))).toThrow(/^cannot clone file:\/\/\/nonexistent\/repo\.git: [^\n]+$/);
  });
});
