// bd ready and bd blocked: what can be worked on now, and what is held back by what.
import type { Command } from 'commander';
import { safeLine, usageError } from '../../../kernel/index.ts';
import {
  blockedBeads,
  claimReady,
  parsePriority,
  parseType,
  readyBeads,
  type ReadyFilter,
} from '../../../beads/index.ts';
import { collect, emit, ExitSignal, listOpt } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { blockedJson, issueJson } from '../json.ts';
import { beadLine, beadList } from '../render.ts';
import { parseLimit } from './list.ts';

interface ReadyOpts {
  assignee?: string;
  unassigned?: boolean;
  label?: string[];
  type?: string[];
  priority?: string[];
  limit?: string;
  sort?: string;
  claim?: boolean;
}

const SORTS = ['priority', 'oldest', 'hybrid'] as const;

export function registerReady(program: Command, ctx: BdCtx): void {
  program
    .command('ready')
    .description('open beads with nothing blocking them; --claim takes the first one atomically')
    .option('-a, --assignee <who>', 'assigned to')
    .option('-u, --unassigned', 'only beads nobody holds')
    .option('-l, --label <label>', 'has this label (repeatable)', collect)
    .option('-t, --type <type>', 'only this type (repeatable)', collect)
    .option('-p, --priority <p>', 'only this priority (repeatable)', collect)
    .option('-n, --limit <n>', 'at most this many (default 100, 0 = all)')
    .option('--sort <policy>', 'priority (default), oldest or hybrid (last 48 h by priority, then oldest first)')
    .option('--claim', 'claim the first ready, unassigned bead for yourself (--actor)')
    .action((o: ReadyOpts) => {
      const f: ReadyFilter = {};
      if (o.assignee) f.assignee = o.assignee;
      if (o.unassigned) f.unassigned = true;
      const labels = listOpt(o.label);
      if (labels.length) f.labels = labels;
      const types = listOpt(o.type);
      if (types.length) f.type = types.map(parseType);
      const prios = listOpt(o.priority);
      if (prios.length) f.priority = prios.map(parsePriority);
      if (o.sort) {
        if (!(SORTS as readonly string[]).includes(o.sort))
          throw usageError('BD_BAD_SORT', `invalid sort "${o.sort}"`, `use one of: ${SORTS.join(', ')}`);
        f.sort = o.sort as ReadyFilter['sort'] & string;
      }
      f.limit = parseLimit(o.limit, 100);
      const store = ctx.store();
      if (o.claim) {
        const r = claimReady(store, ctx.actor() ?? store.actor(), f);
        if (!r) {
          emit(ctx.io, ctx.json(), { data: { claimed: null }, text: 'Nothing ready to claim.' });
          return;
        }
        if (!r.ok) {
          ctx.io.err(`Error: ${safeLine(r.reason)}\n`);
          throw new ExitSignal(1);
        }
        emit(ctx.io, ctx.json(), { data: { claimed: issueJson(r.bead) }, text: `Claimed ${beadLine(r.bead)}` });
        return;
      }
      const page = readyBeads(store, { ...f, withTotal: !ctx.json() });
      emit(ctx.io, ctx.json(), {
        data: ctx.json() ? page.beads.map(issueJson) : null,
        text: () => beadList(page.beads, page.total, 'Nothing is ready.'),
      });
    });

  program
    .command('blocked')
    .description('beads held back by dependencies, and what holds each one')
    .option('-n, --limit <n>', 'at most this many (0 = all)')
    .action((o: { limit?: string }) => {
      const beads = blockedBeads(ctx.store(), { limit: parseLimit(o.limit, 0) });
      emit(ctx.io, ctx.json(), {
        data: beads.map(blockedJson),
        text: beads.length
          ? beads.map((b) => `${beadLine(b)}\n    blocked by: ${b.blocked_by.join(', ') || '(its parent)'}`).join('\n')
          : 'Nothing is blocked.',
      });
    });
}
