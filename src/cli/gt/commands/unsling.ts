// gt unsling: take a bead off its hook (session stopped, bead open and unassigned, polecat idle).
import type { Command } from 'commander';
import { currentAddress } from '../../../work/index.ts';
import { unsling } from '../../../work/hook/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerUnsling(program: Command, ctx: GtCtx): void {
  program
    .command('unsling')
    .description('release a bead from its hook: stop its worker, set it open and unassigned (the worktree is kept)')
    .argument('<bead>', 'bead id')
    .addHelpText('after', '\nExample:\n  gt unsling app-x1f')
    .action(async (bead: string) => {
      const town = ctx.town();
      const r = await unsling(town, bead, { actor: currentAddress(town).text });
      const who = r.polecat ? ` from ${r.polecat}${r.session_stopped ? ' (session stopped)' : ''}` : ' from the sling queue';
      emit(ctx.io, ctx.json(), { data: r, text: `Released ${r.bead}${who}; it is open again` });
    });
}
