// bd list and bd search: beads matching filters, sorted and limited.
import type { Command } from 'commander';
import { usageError } from '../../../kernel/index.ts';
import {
  listBeads,
  parsePriority,
  parseStatus,
  parseType,
  resolveId,
  type ListFilter,
  type SortKey,
} from '../../../beads/index.ts';
import { collect, emit, listOpt } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { listJson } from '../json.ts';
import { beadList } from '../render.ts';

interface ListOpts {
  status?: string[];
  type?: string[];
  assignee?: string | false;
  unassigned?: boolean;
  label?: string[];
  priority?: string[];
  parent?: string;
  text?: string;
  all?: boolean;
  sort?: string;
  limit?: string;
}

const SORTS: SortKey[] = ['priority', 'oldest', 'newest', 'updated', 'id', 'hybrid'];

export function parseLimit(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v))
    throw usageError('BD_BAD_LIMIT', `invalid limit "${v}"`, 'use a whole number; 0 means no limit');
  return Number(v);
}

function filterOf(ctx: BdCtx, o: ListOpts): ListFilter {
  const f: ListFilter = {};
  const statuses = listOpt(o.status);
  if (statuses.length) f.status = statuses.map(parseStatus);
  const types = listOpt(o.type);
  if (types.length) f.type = types.map(parseType);
  const prios = listOpt(o.priority);
  if (prios.length) f.priority = prios.map(parsePriority);
  if (o.assignee) f.assignee = o.assignee;
  if (o.unassigned || o.assignee === false) f.unassigned = true;
  const labels = listOpt(o.label);
  if (labels.length) f.labels = labels;
  if (o.parent) f.parent = resolveId(ctx.store(), o.parent);
  if (o.text) f.text = o.text;
  if (o.all) f.includeClosed = true;
  if (o.sort) {
    if (!SORTS.includes(o.sort as SortKey))
      throw usageError('BD_BAD_SORT', `invalid sort "${o.sort}"`, `use one of: ${SORTS.join(', ')}`);
    f.sort = o.sort as SortKey;
  }
  f.limit = parseLimit(o.limit, 100);
  f.withTotal = !ctx.json();
  f.withCounts = ctx.json();
  return f;
}

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option(
      '-s, --status <status>',
      'open, in_progress, hooked, blocked, deferred, pinned, closed (repeatable, comma-separated)',
      collect,
    )
    .option('-t, --type <type>', 'bead type (repeatable)', collect)
    .option('-a, --assignee <who>', 'assigned to')
    .option('--unassigned', 'only beads nobody holds')
    .option('--no-assignee', "the same as --unassigned (Beads' spelling)")
    .option('-l, --label <label>', 'has this label (repeatable: all must match)', collect)
    .option('-p, --priority <p>', 'priority 0–4 (repeatable)', collect)
    .option('--parent <id>', 'children of this bead')
    .option('--all', 'include closed beads')
    .option('--sort <key>', `order: ${SORTS.join(', ')}`)
    .option('-n, --limit <n>', 'at most this many (default 100, 0 = all)');
}

export function registerList(program: Command, ctx: BdCtx): void {
  addFilterOptions(program.command('list').description('list beads (open ones unless --status or --all)'))
    .option('--text <text>', 'title, description or notes contain this text')
    .action((o: ListOpts) => {
      const page = listBeads(ctx.store(), filterOf(ctx, o));
      emit(ctx.io, ctx.json(), {
        data: ctx.json() ? listJson(page) : null,
        text: () => beadList(page.beads, page.total, 'No beads match.'),
      });
    });
  addFilterOptions(
    program
      .command('search')
      .description('find beads whose title, description or notes contain text (closed ones too)'),
  )
    .argument('<text...>', 'text to look for')
    .action((words: string[], o: ListOpts) => {
      const page = listBeads(ctx.store(), { ...filterOf(ctx, { all: true, ...o }), text: words.join(' ') });
      emit(ctx.io, ctx.json(), {
        data: ctx.json() ? listJson(page) : null,
        text: () => beadList(page.beads, page.total, 'Nothing found.'),
      });
    });
}
