// gt escalate: hand a problem to people who can settle it: a bead plus mail to the Mayor and the overseer.
import type { Command } from 'commander';
import { currentAddress, escalate, SEVERITIES } from '../../../work/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerEscalate(program: Command, ctx: GtCtx): void {
  program
    .command('escalate')
    .description('raise a problem you cannot settle: an escalation bead, and mail to the Mayor and the overseer')
    .argument('<message...>', 'what is wrong (words are joined with spaces; "-" reads standard input)')
    .option('-s, --severity <level>', `${SEVERITIES.join(', ')} (default medium; critical also rings the overseer)`, 'medium')
    .option('--bead <id>', 'the bead this is about')
    .option('--from <address>', 'escalate as this address (default: the current agent, or overseer)')
    .addHelpText('after', '\nExamples:\n  gt escalate "npm test hangs on app since 10:02" --severity high --bead app-a1b\n  gt escalate -s critical "main is broken and the refinery keeps failing"')
    .action(async (words: string[], o: { severity: string; bead?: string; from?: string }) => {
      const town = ctx.town();
      const message = words.length === 1 && words[0] === '-' ? ctx.io.stdin() : words.join(' ');
      const from = currentAddress(town, o.from).address;
      // A polecat escalating hands its hooked work over: the hook waits until the escalation is closed.
      const r = await escalate(town, from, message, o.severity, { ...(o.bead !== undefined ? { bead: o.bead } : {}), suspendHook: from.kind === 'polecat' });
      const about = r.related ? ` about ${r.related}` : '';
      const hook = r.suspended ? `; your hook (${r.related}) is suspended until ${r.bead} is closed: stop working on it` : '';
      emit(ctx.io, ctx.json(), {
        data: r,
        text: r.duplicate
          ? `Already escalated as ${r.bead}${about}, still open: nothing new sent${hook}`
          : `Escalated (${r.severity}, P${r.priority}) as ${r.bead}${about}; mailed mayor and overseer (${r.mail.join(', ')})${hook}`,
      });
    });
}
