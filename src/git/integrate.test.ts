// Putting commits together against real repositories: rebase onto (clean and conflicting), merge-tree, the
// compare-and-set fast-forward, and push-and-verify to a bare remote (accepted, refused, rewritten by a hook).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from './git.ts';
import { testRepos } from './test-repos.ts';
import {
  canMergeTree,
  fastForward,
  isAncestor,
  mergeTree,
  pushAndVerify,
  pushRef,
  rebaseOnto,
  replayOnto,
  revParse,
} from './integrate.ts';

const repos = testRepos('git integrate ');
afterAll(() => repos.cleanup());
const { base, repo, commit } = repos;
let n = 0;
const who = { name: 'T', email: 't@example.com' };

describe('rebase onto', () => {
  it("replays a branch on a moved main, keeping its change and main's", () => {
    const dir = repo();
    git(dir, ['checkout', '-q', '-b', 'topic']);
    const topic = commit(dir, 'b.txt', 'b\n', 'topic');
    git(dir, ['checkout', '-q', 'main']);
    const main = commit(dir, 'c.txt', 'c\n', 'main moved');
    const r = rebaseOnto(dir, topic, main, who);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(isAncestor(dir, main, r.commit)).toBe(true);
    expect(isAncestor(dir, topic, r.commit)).toBe(false);
    expect(git(dir, ['show', `${r.commit}:b.txt`])).toBe('b\n');
    expect(git(dir, ['log', '-1', '--format=%cn', r.commit]).trim()).toBe('T');
  });

  it('names the conflicting file and leaves the work tree clean on the target', () => {
    const dir = repo();
    git(dir, ['checkout', '-q', '-b', 'topic']);
    const topic = commit(dir, 'a.txt', 'topic\n', 'topic edits a');
    git(dir, ['checkout', '-q', 'main']);
    const main = commit(dir, 'a.txt', 'main\n', 'main edits a');
    const r = rebaseOnto(dir, topic, main, who);
    expect(r).toMatchObject({ ok: false, files: ['a.txt'] });
    expect(git(dir, ['status', '--porcelain']).trim()).toBe('');
    expect(revParse(dir, 'HEAD')).toBe(main);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('main\n');
  });
});

describe('merge-tree', () => {
  it.runIf(canMergeTree(base))('merges two branches into a tree without a work tree, or names the conflicts', () => {
    const dir = repo();
    git(dir, ['checkout', '-q', '-b', 'topic']);
    const topic = commit(dir, 'b.txt', 'b\n', 'topic adds b');
    const clash = commit(dir, 'a.txt', 'topic\n', 'topic edits a');
    git(dir, ['checkout', '-q', 'main']);
    const main = commit(dir, 'a.txt', 'main\n', 'main edits a');
    const clean = mergeTree(dir, main, topic);
    expect(clean.ok).toBe(true);
    if (clean.ok)
      expect(git(dir, ['ls-tree', '--name-only', clean.tree]).trim().split('\n')).toEqual(['a.txt', 'b.txt']);
    expect(mergeTree(dir, main, clash)).toEqual({ ok: false, files: ['a.txt'] });
  });
});

describe('replay onto (no work tree)', () => {
  it.runIf(canMergeTree(base))(
    'replays a branch on a moved main keeping authors, drops a change main has, skips kept commits, names a conflict',
    () => {
      const dir = repo();
      git(dir, ['checkout', '-q', '-b', 'topic']);
      const kept = commit(dir, 'k.txt', 'k\n', 'kept elsewhere');
      git(dir, ['branch', 'keep/old']);
      commit(dir, 'b.txt', 'b\n', 'topic adds b');
      const topic = commit(dir, 'same.txt', 's\n', 'same change as main');
      git(dir, ['checkout', '-q', 'main']);
      commit(dir, 'same.txt', 's\n', 'main has it too');
      const main = commit(dir, 'c.txt', 'c\n', 'main moved');
      const r = replayOnto(dir, topic, main, who, ['refs/heads/keep/*']);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(git(dir, ['log', '--format=%s|%an|%cn', `${main}..${r.commit}`]).trim()).toBe('topic adds b|A|T');
      expect(git(dir, ['show', `${r.commit}:b.txt`])).toBe('b\n');
      expect(isAncestor(dir, kept, r.commit)).toBe(false);
      expect(revParse(dir, 'main')).toBe(main);

      git(dir, ['checkout', '-q', '-b', 'clash', 'main~2']);
      const clash = commit(dir, 'c.txt', 'other\n', 'clash on c');
      expect(replayOnto(dir, clash, main, who)).toEqual({
        ok: false,
        files: ['c.txt'],
        message: `conflict replaying ${clash.slice(0, 12)}`,
      });
      expect(replayOnto(dir, 'no-such-branch', main, who)).toMatchObject({
        ok: false,
        files: [],
        message: expect.stringMatching(/^cannot read no-such-branch in /),
      });
    },
  );
});

describe('fast-forward', () => {
  it('moves the branch only from the tip the caller saw', () => {
    const dir = repo();
    const first = revParse(dir, 'main')!;
    git(dir, ['checkout', '-q', '--detach']);
    const next = commit(dir, 'b.txt', 'b\n', 'next');
    const other = commit(dir, 'c.txt', 'c\n', 'other');
    fastForward(dir, 'main', next, first, 'test: land');
    expect(revParse(dir, 'main')).toBe(next);
    expect(() => fastForward(dir, 'main', other, first, 'test: stale')).toThrow();
    expect(revParse(dir, 'main')).toBe(next);
    expect(revParse(dir, 'no-such-branch')).toBeUndefined();
  });
});

describe('push and verify', () => {
  it('pushes to a bare remote and reads it back; a refused or rewritten push is an outcome, not a landed commit', () => {
    const dir = repo();
    const remote = join(base, `remote ${n}.git`);
    git(base, ['clone', '-q', '--bare', dir, remote]);
    git(dir, ['remote', 'add', 'origin', remote]);
    const next = commit(dir, 'b.txt', 'b\n', 'next');
    expect(pushAndVerify(dir, 'origin', next, 'main')).toEqual({ ok: true });
    expect(revParse(remote, 'main')).toBe(next);

    // Not a fast-forward: refused, and the remote keeps its tip.
    git(dir, ['reset', '-q', '--hard', 'HEAD~1']);
    const side = commit(dir, 'c.txt', 'c\n', 'side');
    expect(pushAndVerify(dir, 'origin', side, 'main')).toMatchObject({ ok: false, reason: 'refused' });
    expect(revParse(remote, 'main')).toBe(next);

    // A remote hook that puts the branch back after the push: the read-back catches it.
    writeFileSync(join(remote, 'hooks', 'post-receive'), `#!/bin/sh\ngit update-ref refs/heads/main ${next}\n`);
    chmodSync(join(remote, 'hooks', 'post-receive'), 0o755);
    git(dir, ['reset', '-q', '--hard', next]);
    const onTop = commit(dir, 'e.txt', 'e\n', 'on top');
    expect(pushAndVerify(dir, 'origin', onTop, 'main')).toEqual({ ok: false, reason: 'unverified', detail: next });
  });
});

describe('push a ref', () => {
  it('pushes a commit to a remote branch, and says when a push is refused for not being a fast-forward', () => {
    const dir = repo();
    const remote = join(base, `remote ${++n}.git`);
    git(base, ['init', '-q', '--bare', '-b', 'main', remote]);
    const first = revParse(dir, 'HEAD')!;
    expect(pushRef(dir, remote, first, 'topic')).toEqual({ ok: true });
    expect(git(remote, ['rev-parse', 'topic']).trim()).toBe(first);
    git(dir, ['checkout', '-q', '--orphan', 'other']);
    const unrelated = commit(dir, 'z.txt', 'z\n', 'unrelated');
    const refused = pushRef(dir, remote, unrelated, 'topic');
    expect(refused).toMatchObject({ ok: false, nonFastForward: true, detail: expect.stringMatching(/\S/) });
    expect(git(remote, ['rev-parse', 'topic']).trim()).toBe(first);
    expect(pushRef(dir, join(base, 'no such remote'), first, 'topic')).toMatchObject({
      ok: false,
      nonFastForward: false,
    });
  });
});
