// gt hooks list|repair: the Gas Town-owned hook settings each agent's runtime is started with.
import type { Command } from 'commander';
import { listHookSettings, repairHookSettings, type AgentHooks } from '../../../work/sessions/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerHooks(program: Command, ctx: GtCtx): void {
  const hooks = program.command('hooks').description("the hook settings agents start with (Claude Code: prime at start, mail on each prompt)");

  hooks
    .command('list')
    .description("each agent's hook settings file and whether it is current")
    .addHelpText('after', '\nExample:\n  gt hooks list --json')
    .action(() => {
      const list = listHookSettings(ctx.town());
      emit(ctx.io, ctx.json(), { data: list, text: list.map(line).join('\n') });
    });

  hooks
    .command('repair')
    .description('rewrite missing or outdated hook settings files (the user\'s repositories are never touched)')
    .addHelpText('after', '\nExample:\n  gt hooks repair')
    .action(() => {
      const fixed = repairHookSettings(ctx.town());
      const text = fixed.length
        ? `Rewrote ${fixed.length} settings file${fixed.length === 1 ? '' : 's'}:\n${fixed.map((h) => `  ${h.address}: ${h.path}`).join('\n')}\nRunning agents read them at their next start (gt mayor restart).`
        : 'Every hook settings file is current.';
      emit(ctx.io, ctx.json(), { data: { repaired: fixed }, text });
    });
}

function line(h: AgentHooks): string {
  if (h.state === 'no-hooks') return `${h.address}  ${h.runtime}  no hook support (context is typed in after start)`;
  return `${h.address}  ${h.runtime}  ${h.state}${h.events.length ? `  [${h.events.join(', ')}]` : ''}  ${h.path}`;
}
