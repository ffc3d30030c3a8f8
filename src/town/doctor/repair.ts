// Applying a planned repair: each one re-checks its condition first, so a repair never acts on stale findings.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { pruneWorktrees } from '../../git/index.ts';
import { isProcessAlive } from '../../proc/index.ts';
import { createTmux } from '../../tmux/index.ts';
import type { Repair } from './types.ts';

/** Apply one repair; returns what was done (or why it was skipped). */
export async function applyRepair(r: Repair, env: NodeJS.ProcessEnv): Promise<string> {
  switch (r.kind) {
    case 'mkdir':
      mkdirSync(r.path, { recursive: true });
      return `created ${r.path}`;
    case 'remove-lock': {
      let pid: unknown;
      try {
        pid = (JSON.parse(readFileSync(r.path, 'utf8')) as { pid?: unknown }).pid;
      } catch {
        return `${r.path} is gone already`;
      }
      if (pid !== r.pid || isProcessAlive(r.pid)) return `kept ${r.path}: it has a live owner now`;
      rmSync(r.path, { force: true });
      return `removed ${r.path} (pid ${r.pid} is dead)`;
    }
    case 'prune-worktrees':
      pruneWorktrees(r.repo);
      return `pruned vanished worktrees of ${r.repo}`;
    case 'kill-session':
      return (await createTmux({ socket: r.socket, env }).killSession(r.session))
        ? `killed session ${r.session}`
        : `session ${r.session} was gone already`;
  }
}
