// bd show: one or more beads in full, with edges both ways, comments and (with --events) the event log.
import type { Command } from 'commander';
import { dependentsOf, eventsOf, getDetails, resolveId } from '../../../beads/index.ts';
import { showJson } from '../json.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadDetails } from '../render.ts';

export function registerShow(program: Command, ctx: BdCtx): void {
  program
    .command('show')
    .alias('view')
    .description('show beads in full (--json: an array, as Beads prints it)')
    .argument('<ids...>', 'bead ids (any unique start of an id works)')
    .option('--events', 'include the event log')
    .action((ids: string[], o: { events?: boolean }) => {
      const store = ctx.store();
      const shown = ids.map((raw) => {
        const id = resolveId(store, raw);
        const d = getDetails(store.db, id)!;
        return { d, dependents: dependentsOf(store.db, id), events: o.events ? eventsOf(store, id) : undefined };
      });
      emit(ctx.io, ctx.json(), {
        data: ctx.json() ? shown.map((x) => showJson(store, x.d, x.events)) : null,
        text: shown
          .map((x) => beadDetails({ ...x.d, dependents: x.dependents, ...(x.events ? { events: x.events } : {}) }))
          .join('\n\n'),
      });
    });
}
