// Worktrees whose directories vanished: git still lists them (`prunable`) until `git worktree prune`.
import { existsSync } from 'node:fs';
import { listWorktrees } from '../../git/index.ts';
import { messageOf } from '../../kernel/index.ts';
import type { TownPaths } from '../layout.ts';
import type { PlannedCheck } from './types.ts';

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
  return rigs
    .filter((r) => existsSync(p.repo(r)))
    .map((rig) => {
      const repo = p.repo(rig);
      try {
        return worktreeCheck(
          rig,
          repo,
          listWorktrees(repo)
            .filter((w) => w.prunable)
            .map((w) => w.path),
        );
      } catch (e) {
        return {
          id: `rig.${rig}.worktrees`,
          status: 'error',
          detail: `cannot list the worktrees of rig ${rig}: ${messageOf(e)}`,
        };
      }
    });
}
