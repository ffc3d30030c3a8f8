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
      const r = await escalate(town, currentAddress(town, o.from).address, message, o.severity, o.bead !== undefined ? { bead: o.bead } : {});
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Escalated (${r.severity}, P${r.priority}) as ${r.bead}${r.related ? ` about ${r.related}` : ''}; mailed mayor and overseer (${r.mail.join(', ')})`,
      });
    });
}
