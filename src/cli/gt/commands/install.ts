// gt install: create a town (or repair a partial one) at a path.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { installTown, type InstallResult } from '../../../town/index.ts';
import { shellQuote } from '../../../tmux/index.ts';
import { emit } from '../../shared/runtime.ts';
import { mergeDriverCommand } from '../../bd/self.ts';
import type { GtCtx } from '../context.ts';
import { TOWN_PARTS } from '../town-parts.ts';

export function registerInstall(program: Command, ctx: GtCtx): void {
  program
    .command('install')
    .description('create a town: town.json, settings, the town bead store (prefix hq), .runtime/ and mayor/')
    .argument('<path>', 'directory for the town (new or empty; an existing town is checked and completed)')
    .option('--git', 'make the town a git repository (.gitignore, ledger merge driver, first commit)')
    .option('--name <name>', 'town name (default: the directory name)')
    .addHelpText('after', '\nExample:\n  gt install ~/gt --git')
    .action((path: string, o: { git?: boolean; name?: string }) => {
      const r = installTown(resolve(ctx.io.cwd, path), {
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.git ? { git: true, driverCommand: mergeDriverCommand() } : {}),
        parts: TOWN_PARTS,
      });
      emit(ctx.io, ctx.json(), { data: r, text: renderInstall(r) });
    });
}

function renderInstall(r: InstallResult): string {
  const head = r.created
    ? `Created town "${r.name}" at ${r.root}${r.git ? ' (git repository)' : ''}`
    : r.added.length > 0
      ? `Repaired town "${r.name}" at ${r.root}; added: ${r.added.join(', ')}`
      : `Town "${r.name}" at ${r.root} is complete; nothing changed`;
  // Single-quoted for sh: safe to paste whatever the path holds (quotes, $, backticks, spaces, line breaks).
  const next = r.created ? [`Next: cd ${shellQuote(r.root)} && gt rig add <name> <git-url|path>`] : [];
  return [head, ...r.notes.map((n) => `Note: ${n}`), ...next].join('\n');
}
