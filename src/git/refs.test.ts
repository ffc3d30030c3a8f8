// Refs, commit counting and commit objects, and branch deletion, against real repositories in a temp dir.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteBranch, deleteBranchAt, switchToNewBranch } from './branch.ts';
import { commitsBySource } from './bundle.ts';
import { git } from './git.ts';
import { TEST_AUTHOR_ENV, testRepos } from './test-repos.ts';
import { revParse } from './integrate.ts';
import {
  anyRefContains,
  commitTree,
  commitsBetween,
  commitsNotUpstream,
  countCommits,
  deleteRef,
  emptyRootCommits,
  listRefs,
  setRef,
  treeOf,
} from './refs.ts';
import { attributeOf, conflictStage, createInitialCommit, commitWorkTree, headBranch, isUnmerged } from './repo.ts';
import { addWorktree, listWorktrees } from './worktree.ts';

const repos = testRepos('git refs ');
afterAll(() => repos.cleanup());
const { base, repo, commit } = repos;
let n = 0;
const env = TEST_AUTHOR_ENV;

describe('refs', () => {
  it('sets a ref only from the value the caller saw, creates one only when absent, and deletes one only at its value', () => {
    const dir = repo();
    const first = revParse(dir, 'HEAD')!;
    const second = commit(dir, 'b.txt', 'b\n', 'second');
    setRef(dir, 'refs/gt/x', first, { from: '' });
    expect(() => setRef(dir, 'refs/gt/x', second, { from: '' })).toThrow(/GIT|update-ref/);
    expect(() => setRef(dir, 'refs/gt/x', second, { from: second })).toThrow();
    expect(revParse(dir, 'refs/gt/x')).toBe(first);
    setRef(dir, 'refs/gt/x', second, { from: first, why: 'test' });
    expect(revParse(dir, 'refs/gt/x')).toBe(second);
    expect(deleteRef(dir, 'refs/gt/x', first)).toBe(false);
    expect(deleteRef(dir, 'refs/gt/x', second)).toBe(true);
    expect(revParse(dir, 'refs/gt/x')).toBeUndefined();
  });

  it('lists refs under a prefix with their first parent, highest name first when asked', () => {
    const dir = repo();
    const first = revParse(dir, 'HEAD')!;
    const second = commit(dir, 'b.txt', 'b\n', 'second');
    setRef(dir, 'refs/gt/hooks/p/1', first);
    setRef(dir, 'refs/gt/hooks/p/2', second);
    setRef(dir, 'refs/gt/hooks/other/3', second);
    expect(listRefs(dir, 'refs/gt/hooks/p/', { descending: true })).toEqual([
      { ref: 'refs/gt/hooks/p/2', commit: second, parent: first },
      { ref: 'refs/gt/hooks/p/1', commit: first, parent: null },
    ]);
    expect(anyRefContains(dir, first, 'refs/gt/hooks/other')).toBe(true);
    expect(anyRefContains(dir, second, 'refs/gt/hooks/p/1')).toBe(false);
  });

  it('counts commits beyond a branch, lists a range, and sees a cherry-picked change as already upstream', () => {
    const dir = repo();
    git(dir, ['checkout', '-q', '-b', 'topic']);
    const picked = commit(dir, 'b.txt', 'b\n', 'picked');
    const own = commit(dir, 'c.txt', 'c\n', 'own');
    expect(countCommits(dir, ['topic'], ['main'])).toBe(2);
    expect(commitsBetween(dir, 'main', 'topic')).toEqual([own, picked]);
    expect(commitsBetween(dir, 'main', 'no-such-ref')).toEqual([]);
    git(dir, ['checkout', '-q', 'main']);
    git(dir, ['-c', 'commit.gpgsign=false', 'cherry-pick', picked], { env });
    expect(commitsNotUpstream(dir, 'main', 'topic')).toEqual([own]);
    expect(() => countCommits(dir, ['no-such-ref'])).toThrow();
  });

  it('writes a commit from a tree with the author and date given and another committer, moving no ref', () => {
    const dir = repo();
    const head = revParse(dir, 'HEAD')!;
    const c = commitTree(
      dir,
      treeOf(dir, 'HEAD')!,
      [head],
      'line one\n\nbody\n',
      { name: 'Au', email: 'au@x', date: '1700000000 +0000' },
      { name: 'Co', email: 'co@x' },
    );
    expect(git(dir, ['log', '-1', '--format=%an|%ae|%at|%cn|%P|%B', c]).trim()).toBe(
      `Au|au@x|1700000000|Co|${head}|line one\n\nbody`,
    );
    expect(revParse(dir, 'HEAD')).toBe(head);
    expect(treeOf(dir, 'no-such-ref')).toBeUndefined();
  });

  it('finds the empty first commit an empty repository is given', () => {
    const dir = join(base, `bare ${++n}.git`);
    git(base, ['init', '-q', '--bare', dir]);
    const root = createInitialCommit(dir, 'main', { name: 'T', email: 't@x' });
    expect(emptyRootCommits(dir)).toEqual([root]);
    expect(emptyRootCommits(repo())).toEqual([]);
  });
});

describe('commits by source', () => {
  it('names the branch each commit was reached from, with author and date, newest first; none for a bad name', () => {
    const dir = repo();
    const first = revParse(dir, 'HEAD')!;
    git(dir, ['checkout', '-q', '-b', 'polecat/x/ab-1']);
    const mine = commit(dir, 'b.txt', 'b\n', 'polecat work');
    const all = commitsBySource(dir, ['--branches=polecat/*', 'main']);
    expect(all.map((c) => c.sha)).toEqual([mine, first]);
    expect(all[0]).toMatchObject({
      source: expect.stringMatching(/(^|\/)polecat\/x\/ab-1$/),
      author: 'A',
      subject: 'polecat work',
    });
    expect(new Date(all[0]!.at).getTime()).not.toBeNaN();
    expect(commitsBySource(dir, ['no-such-ref'])).toEqual([]);
  });
});

describe('a stopped merge and attributes', () => {
  it('tells an unmerged file and reads each side from the index; reads an attribute', () => {
    const dir = repo();
    git(dir, ['checkout', '-q', '-b', 'topic']);
    commit(dir, 'a.txt', 'topic\n', 'topic');
    git(dir, ['checkout', '-q', 'main']);
    commit(dir, 'a.txt', 'main\n', 'main');
    expect(isUnmerged(dir, 'a.txt')).toBe(false);
    expect(() => git(dir, ['-c', 'commit.gpgsign=false', 'merge', '-q', 'topic'], { env })).toThrow();
    expect(isUnmerged(dir, 'a.txt')).toBe(true);
    expect([1, 2, 3].map((n) => conflictStage(dir, 'a.txt', n as 1 | 2 | 3))).toEqual(['a\n', 'main\n', 'topic\n']);
    expect(conflictStage(dir, 'b.txt', 1)).toBe('');
    writeFileSync(join(dir, '.gitattributes'), 'issues.jsonl merge=beads\n');
    expect(attributeOf(dir, 'merge', 'issues.jsonl')).toBe('beads');
    expect(attributeOf(dir, 'merge', 'a.txt')).toBe('unspecified');
    expect(attributeOf(base, 'merge', 'x')).toBeUndefined();
  });
});

describe('commit a work tree', () => {
  it('commits tracked and untracked files as the given identity, skipping hooks; false when nothing is there', () => {
    const dir = repo();
    expect(commitWorkTree(dir, ['subject'], { name: 'P', email: 'p@x' })).toBe(false);
    writeFileSync(join(dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    writeFileSync(join(dir, 'new.txt'), 'n\n');
    writeFileSync(join(dir, 'a.txt'), 'changed\n');
    expect(commitWorkTree(dir, ['subject', 'note'], { name: 'P', email: 'p@x' })).toBe(true);
    expect(git(dir, ['log', '-1', '--format=%an|%cn|%B']).trim()).toBe('P|P|subject\n\nnote');
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
  });
});

describe('branches', () => {
  it('starts a branch in a work tree, deletes a merged one, and refuses an unmerged one unless forced', () => {
    const dir = repo();
    switchToNewBranch(dir, 'topic', 'main');
    commit(dir, 'b.txt', 'b\n', 'topic');
    switchToNewBranch(dir, 'other', 'main');
    expect(deleteBranch(dir, 'topic')).toBe(false);
    expect(revParse(dir, 'refs/heads/topic')).toBeDefined();
    expect(deleteBranch(dir, 'topic', { force: true })).toBe(true);
    expect(revParse(dir, 'refs/heads/topic')).toBeUndefined();
  });

  it('deletes a landed branch only at the landed commit, detaching a clean idle checkout of it', () => {
    const dir = repo();
    const head = revParse(dir, 'main')!;
    const wt = join(base, `wt ${n}`);
    addWorktree(dir, wt, 'done-work', { newBranch: true, startPoint: 'main' });
    expect(deleteBranchAt(dir, 'done-work', head, listWorktrees(dir))).toEqual({ deleted: true });
    expect(revParse(wt, 'HEAD')).toBe(head);
    expect(headBranch(wt)).toBeUndefined();

    switchToNewBranch(wt, 'busy', 'main');
    writeFileSync(join(wt, 'dirty.txt'), 'x');
    expect(deleteBranchAt(dir, 'busy', head)).toEqual({ deleted: false, kept: 'checked-out', at: wt });
    rmSync(join(wt, 'dirty.txt'));

    setRef(dir, 'refs/heads/moved', head);
    const later = commit(dir, 'c.txt', 'c\n', 'later');
    setRef(dir, 'refs/heads/moved', later);
    expect(deleteBranchAt(dir, 'moved', head)).toEqual({ deleted: false, kept: 'moved-on', at: later });
  });
});
