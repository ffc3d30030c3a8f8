// gt hooks list|repair: every polecat's work hook (bead, branch, worktree, snapshot) and the Gas Town-owned hook
// settings each agent's runtime is started with.
import type { Command } from 'commander';
import { listHookSettings, repairHookSettings, type AgentHooks } from '../../../work/sessions/index.ts';
import { listHooks, repairHooks, type HookRepair, type WorkHook } from '../../../work/hook/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerHooks(program: Command, ctx: GtCtx): void {
  const hooks = program
    .command('hooks')
    .description('work hooks (what each polecat holds) and the runtime hook settings agents start with');

  hooks
    .command('list')
    .description(
      "every polecat's hook (state, agent, bead, branch, worktree, last snapshot) and each agent's hook settings file",
    )
    .addHelpText('after', '\nExample:\n  gt hooks list --json')
    .action(async () => {
      const town = ctx.town();
      const work = await listHooks(town);
      const settings = listHookSettings(town);
      const text = [
        'Work hooks:',
        ...(work.length ? work.map(workLine) : ['  (no polecats)']),
        'Hook settings:',
        ...settings.map(settingsLine),
      ].join('\n');
      emit(ctx.io, ctx.json(), { data: { work, settings }, text });
    });

  hooks
    .command('repair')
    .description(
      'restore missing worktrees, prune stale worktree entries and locks, requeue orphaned beads, rewrite outdated settings files',
    )
    .addHelpText('after', '\nExample:\n  gt hooks repair')
    .action(() => {
      const town = ctx.town();
      const work = repairHooks(town);
      const fixed = repairHookSettings(town);
      const lines = [
        ...work.map((r: HookRepair) => `${r.kind}: ${r.detail}`),
        ...(fixed.length
          ? [
              `Rewrote ${fixed.length} settings file${fixed.length === 1 ? '' : 's'}:`,
              ...fixed.map((h) => `  ${h.address}: ${h.path}`),
              'Running agents read them at their next start (gt mayor restart).',
            ]
          : []),
      ];
      emit(ctx.io, ctx.json(), {
        data: { work, repaired: fixed },
        text: lines.length ? lines.join('\n') : 'Every hook is consistent and every settings file is current.',
      });
    });
}

function workLine(h: WorkHook): string {
  const missing = h.worktree_exists ? '' : ' (worktree missing)';
  return `  ${h.address}  ${h.state}/${h.hook_state ?? '-'}  ${h.agent ?? '-'}  ${h.bead ?? '-'}  ${h.branch ?? '-'}  ${h.worktree}${missing}  ${h.last_snapshot ?? 'no snapshot'}`;
}

function settingsLine(h: AgentHooks): string {
  if (h.state === 'no-hooks') return `  ${h.address}  ${h.runtime}  no hook support (context is typed in after start)`;
  if (h.state === 'context') return `  ${h.address}  ${h.runtime}  role context  ${h.path}`;
  if (h.state === 'context-missing')
    return `  ${h.address}  ${h.runtime}  role context (written at its next start)  ${h.path}`;
  if (h.state === 'context-taken')
    return `  ${h.address}  ${h.runtime}  role context not written: the repository's own file is there (context is typed in after start)  ${h.path}`;
  return `  ${h.address}  ${h.runtime}  ${h.state}${h.events.length ? `  [${h.events.join(', ')}]` : ''}  ${h.path}`;
}
