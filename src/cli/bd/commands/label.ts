// bd label and bd comments: tags and discussion on beads.
import type { Command } from 'commander';
import { addComment, allLabels, listComments, resolveId, updateBead, getBead } from '../../../beads/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadLine } from '../render.ts';

export function registerLabel(program: Command, ctx: BdCtx): void {
  const label = program.command('label').description('labels on beads');
  label
    .command('add')
    .description('add a label to beads')
    .argument('<label>')
    .argument('<ids...>')
    .action((l: string, ids: string[]) => {
      const beads = ids.map((id) => updateBead(ctx.store(), id, { addLabels: [l] }));
      emit(ctx.io, ctx.json(), { data: beads, text: beads.map((b) => `Labelled ${beadLine(b)}`).join('\n') });
    });
  label
    .command('remove')
    .description('remove a label from beads')
    .argument('<label>')
    .argument('<ids...>')
    .action((l: string, ids: string[]) => {
      const beads = ids.map((id) => updateBead(ctx.store(), id, { removeLabels: [l] }));
      emit(ctx.io, ctx.json(), { data: beads, text: beads.map((b) => `Updated ${beadLine(b)}`).join('\n') });
    });
  label
    .command('list')
    .description('labels of one bead, or every label in use with counts')
    .argument('[id]')
    .action((id: string | undefined) => {
      const store = ctx.store();
      if (id) {
        const b = getBead(store.db, resolveId(store, id))!;
        emit(ctx.io, ctx.json(), { data: b.labels, text: b.labels.join('\n') || `${b.id} has no labels.` });
        return;
      }
      const all = allLabels(store);
      emit(ctx.io, ctx.json(), { data: all, text: all.map((l) => `${l.label} (${l.count})`).join('\n') || 'No labels.' });
    });

  const comments = program.command('comments').description('comments on a bead');
  comments
    .command('add')
    .description('add a comment')
    .argument('<id>')
    .argument('<text...>', 'the comment; - reads standard input')
    .action((id: string, words: string[]) => {
      const text = words.length === 1 && words[0] === '-' ? ctx.io.stdin() : words.join(' ');
      const c = addComment(ctx.store(), id, text);
      emit(ctx.io, ctx.json(), { data: c, text: `Commented on ${c.issue_id}` });
    });
  comments
    .command('list', { isDefault: true })
    .description('list comments of a bead')
    .argument('<id>')
    .action((id: string) => {
      const list = listComments(ctx.store(), id);
      emit(ctx.io, ctx.json(), { data: list, text: list.map((c) => `[${c.created_at}] ${c.author}: ${c.text}`).join('\n') || 'No comments.' });
    });
}
