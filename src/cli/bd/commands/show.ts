// bd show: one or more beads in full, with edges both ways, comments and (with --events) the event log.
import type { Command } from 'commander';
import { dependentsOf, eventsOf, getDetails, resolveId } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadDetails } from '../render.ts';

export function registerShow(program: Command, ctx: BdCtx): void {
  program
    .command('show')
    .description('show beads in full (one id gives an object in --json, several give an array)')
    .argument('<ids...>', 'bead ids (any unique start of an id works)')
    .option('--events', 'include the event log')
    .action((ids: string[], o: { events?: boolean }) => {
      const store = ctx.store();
      const shown = ids.map((raw) => {
        const id = resolveId(store, raw);
        const d = getDetails(store.db, id)!;
        const parent = d.dependencies.find((x) => x.type === 'parent-child')?.depends_on_id ?? null;
        return { ...d, parent, dependents: dependentsOf(store.db, id), ...(o.events ? { events: eventsOf(store, id) } : {}) };
      });
      emit(ctx.io, ctx.json(), { data: shown.length === 1 ? shown[0] : shown, text: shown.map(beadDetails).join('\n\n') });
    });
}
