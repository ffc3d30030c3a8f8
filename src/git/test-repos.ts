// For src/git's tests: real repositories in one temp directory, each with `main` holding a.txt = "a\n".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.ts';

export const TEST_AUTHOR_ENV = {
  GIT_AUTHOR_NAME: 'A',
  GIT_AUTHOR_EMAIL: 'a@example.com',
  GIT_COMMITTER_NAME: 'A',
  GIT_COMMITTER_EMAIL: 'a@example.com',
};

export interface TestRepos {
  base: string;
  /** A new repository; returns its path. */
  repo(): string;
  /** Write `file` and commit it; returns the new commit. */
  commit(dir: string, file: string, text: string, msg: string): string;
  cleanup(): void;
}

export function testRepos(label: string): TestRepos {
  const base = mkdtempSync(join(tmpdir(), label));
  let n = 0;
  const commit = (dir: string, file: string, text: string, msg: string): string => {
    writeFileSync(join(dir, file), text);
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', msg], { env: TEST_AUTHOR_ENV });
    return git(dir, ['rev-parse', 'HEAD']).trim();
  };
  return {
    base,
    commit,
    repo: () => {
      const dir = join(base, `repo ${++n}`);
      git(base, ['init', '-q', '-b', 'main', dir]);
      commit(dir, 'a.txt', 'a\n', 'first');
      return dir;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
