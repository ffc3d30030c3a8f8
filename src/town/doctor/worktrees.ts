// Worktrees whose directories vanished: git still lists them (`prunable`) until `git worktree prune`.
import { existsSync } from 'node:fs';
import { git } from '../../git/index.ts';
import { messageOf } from '../../kernel/index.ts';
import type { TownPaths } from '../layout.ts';
import type { PlannedCheck } from './types.ts';

/** Paths of the prunable worktrees in `git worktree list --porcelain` output (pure). */
export function prunableWorktrees(porcelain: string): string[] {
  return porcelain.split('\n\n').flatMap((block) => {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice(9);
    return path && lines.some((l) => l === 'prunable' || l.startsWith('prunable ')) ? [path] : [];
  });
}

export function worktreeCheck(rig: string, repo: string, prunable: readonly string[]): PlannedCheck {
  const id = `rig.${rig}.worktrees`;
  if (prunable.length === 0) return { id, status: 'ok', detail: `every worktree of rig ${rig} exists` };
  return {
    id,
    status: 'warn',
    detail: `${prunable.length} worktree(s) of rig ${rig} whose directory is gone: ${prunable.join(', ')}`,
    fix: `git worktree prune in ${repo} (forgets the vanished directories; branches and commits stay)`,
    repairs: [{ kind: 'prune-worktrees', repo }],
  };
}

export function worktreeChecks(p: TownPaths, rigs: readonly string[]): PlannedCheck[] {
  return rigs.filter((r) => existsSync(p.repo(r))).map((rig) => {
    const repo = p.repo(rig);
    try {
      return worktreeCheck(rig, repo, prunableWorktrees(git(repo, ['worktree', 'list', '--porcelain'])));
    } catch (e) {
      return { id: `rig.${rig}.worktrees`, status: 'error', detail: `cannot list the worktrees of rig ${rig}: ${messageOf(e)}` };
    }
  });
}
