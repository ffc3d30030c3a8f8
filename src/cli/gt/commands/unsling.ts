// gt unsling: take a bead off its hook (session stopped, bead open and unassigned, polecat idle).
import type { Command } from 'commander';
import { getBead } from '../../../beads/index.ts';
import { openTownStore } from '../../../town/index.ts';
import { currentAddress } from '../../../work/index.ts';
import { unsling } from '../../../work/hook/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerUnsling(program: Command, ctx: GtCtx): void {
  program
    .command('unsling')
    .description(
      'release a bead from its hook: stop its worker, set it open and unassigned (a closed bead stays closed; the worktree is kept)',
    )
    .argument('<bead>', 'bead id')
    .addHelpText('after', '\nExample:\n  gt unsling app-x1f')
    .action(async (bead: string) => {
      const town = ctx.town();
      const r = await unsling(town, bead, { actor: currentAddress(town).text });
      // Say what the bead is now, read back: a landed (closed) bead stays closed, it is not "open again".
      const store = openTownStore(town, { actor: 'gt unsling' });
      const status = (() => {
        try {
          return getBead(store.db, r.bead)?.status ?? 'gone';
        } finally {
          store.close();
        }
      })();
      const who = r.polecat
        ? ` from ${r.polecat}${r.session_stopped ? ' (session stopped)' : ''}`
        : ' from the sling queue';
      const now =
        status === 'open'
          ? 'it is open again'
          : status === 'closed'
            ? 'it stays closed (its work had landed or it was closed)'
            : `it is ${status}`;
      emit(ctx.io, ctx.json(), { data: { ...r, status }, text: `Released ${r.bead}${who}; ${now}` });
    });
}
