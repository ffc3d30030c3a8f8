// bd label and bd comments: tags and discussion on beads.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GtError, messageOf, usageError } from '../../../kernel/index.ts';
import {
  addComment,
  insertComment,
  allLabels,
  listComments,
  resolveId,
  updateBead,
  getBead,
  type Store,
} from '../../../beads/index.ts';
import { commentJson } from '../json.ts';
import { emit } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadLine, commentLine } from '../render.ts';

export function registerLabel(program: Command, ctx: BdCtx): void {
  const label = program.command('label').description('labels on beads');
  label
    .command('add')
    .description(
      'add a label to beads: bd label add <label> <ids...>, or as Beads spells it, bd label add <ids...> <label>',
    )
    .argument('<args...>', 'the label and the bead ids, in either order')
    .action((args: string[]) => labelChange(ctx, args, 'added'));
  label
    .command('remove')
    .description('remove a label from beads (either order, as for add)')
    .argument('<args...>', 'the label and the bead ids')
    .action((args: string[]) => labelChange(ctx, args, 'removed'));
  label
    .command('list-all')
    .description('every label in use, with how many beads carry it')
    .action(() => {
      const all = allLabels(ctx.store());
      emit(ctx.io, ctx.json(), {
        data: all,
        text: all.map((l) => `${l.label} (${l.count})`).join('\n') || 'No labels.',
      });
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
      emit(ctx.io, ctx.json(), {
        data: all,
        text: all.map((l) => `${l.label} (${l.count})`).join('\n') || 'No labels.',
      });
    });

  const comments = program.command('comments').description('comments on a bead');
  comments
    .command('add')
    .description('add a comment')
    .argument('<id>')
    .argument('[text...]', 'the comment; - reads standard input')
    .option('-f, --file <path>', 'the comment from a file (- reads standard input)')
    .option('-a, --author <name>', 'who wrote it (default: the actor)')
    .action((id: string, words: string[], o: { file?: string; author?: string }) => {
      if (o.file !== undefined && words.length)
        throw usageError('USAGE', 'comment text given twice (words and --file)', 'give one of them');
      if (o.file === undefined && !words.length)
        throw usageError('BD_EMPTY_COMMENT', 'comment text is empty', 'bd comments add <id> "text" (or -f file)');
      const text =
        o.file !== undefined
          ? fileText(ctx, o.file)
          : words.length === 1 && words[0] === '-'
            ? ctx.io.stdin()
            : words.join(' ');
      const store = ctx.store();
      const c = o.author
        ? store.write(() => insertComment(store, resolveId(store, id), text, o.author))
        : addComment(store, id, text);
      emit(ctx.io, ctx.json(), { data: commentJson(c), text: `Commented on ${c.issue_id}` });
    });
  comments
    .command('list', { isDefault: true })
    .description('list comments of a bead')
    .argument('<id>')
    .action((id: string) => {
      const list = listComments(ctx.store(), id);
      emit(ctx.io, ctx.json(), {
        data: list.map(commentJson),
        text: list.map(commentLine).join('\n') || 'No comments.',
      });
    });
}

function fileText(ctx: BdCtx, path: string): string {
  if (path === '-') return ctx.io.stdin();
  try {
    return readFileSync(resolve(ctx.io.cwd, path), 'utf8');
  } catch (e) {
    throw new GtError('BD_BAD_FILE', `cannot read ${path}: ${messageOf(e)}`);
  }
}

/** True when `raw` names a bead of the store. */
function isBead(store: Store, raw: string): boolean {
  try {
    resolveId(store, raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Add or remove one label on beads. This project wrote the label first (`bd label add backend bd-1 bd-2`), Beads
 * writes it last (`bd label add bd-1 bd-2 backend`): when the first word is a bead and the last is not, it is Beads'.
 */
function labelChange(ctx: BdCtx, args: string[], status: 'added' | 'removed'): void {
  if (args.length < 2)
    throw usageError('USAGE', 'a label and at least one bead id are needed', 'bd label add <ids...> <label>');
  const store = ctx.store();
  const goOrder = isBead(store, args[0]!) && !isBead(store, args[args.length - 1]!);
  const [l, ids] = goOrder ? [args[args.length - 1]!, args.slice(0, -1)] : [args[0]!, args.slice(1)];
  const beads = ids.map((id) => updateBead(store, id, status === 'added' ? { addLabels: [l] } : { removeLabels: [l] }));
  emit(ctx.io, ctx.json(), {
    data: beads.map((b) => ({ status, issue_id: b.id, label: l })),
    text: beads.map((b) => `${status === 'added' ? 'Labelled' : 'Updated'} ${beadLine(b)}`).join('\n'),
  });
}
