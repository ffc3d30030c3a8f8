// bd update, close, reopen, delete: changing beads. `--claim` is a compare-and-set that names the holder on failure.
import type { Command } from 'commander';
import { safeLine, usageError } from '../../../kernel/index.ts';
import {
  claimBead,
  closeBeads,
  deleteBeads,
  getBead,
  resolveId,
  type Store,
  parsePriority,
  parseStatus,
  parseType,
  reopenBeads,
  updateBead,
  type Bead,
  type UpdateInput,
} from '../../../beads/index.ts';
import { collect, emit, ExitSignal, listOpt, type CliIo } from '../../shared/runtime.ts';
import type { BdCtx } from '../context.ts';
import { beadLine } from '../render.ts';
import { issueJson } from '../json.ts';

interface UpdateOpts {
  title?: string;
  description?: string;
  design?: string;
  acceptance?: string;
  notes?: string;
  notesReplace?: string;
  appendNotes?: string;
  status?: string;
  priority?: string;
  type?: string;
  assignee?: string;
  externalRef?: string;
  defer?: string;
  addLabel?: string[];
  removeLabel?: string[];
  setLabels?: string[];
  parent?: string;
  claim?: boolean;
}

function parseWhen(v: string): string | null {
  if (v === '' || v === 'none') return null;
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw usageError(
      'BD_BAD_DATE',
      `invalid date "${v}"`,
      'use an ISO date such as 2026-12-01 or 2026-12-01T09:00:00Z',
    );
  return new Date(t).toISOString();
}

function updateInput(io: CliIo, o: UpdateOpts): UpdateInput {
  const u: UpdateInput = {};
  if (o.title !== undefined) u.title = o.title;
  if (o.description !== undefined) u.description = o.description === '-' ? io.stdin() : o.description;
  if (o.design !== undefined) u.design = o.design;
  if (o.acceptance !== undefined) u.acceptance = o.acceptance;
  if (o.notes !== undefined && o.appendNotes !== undefined) {
    throw usageError('USAGE', '--notes and --append-notes both given', 'both append here; give the text once');
  }
  if (o.notes !== undefined) u.appendNotes = o.notes;
  if (o.appendNotes !== undefined) u.appendNotes = o.appendNotes;
  if (o.notesReplace !== undefined) u.notes = o.notesReplace;
  if (o.status !== undefined) u.status = parseStatus(o.status);
  if (o.priority !== undefined) u.priority = parsePriority(o.priority);
  if (o.type !== undefined) u.type = parseType(o.type);
  if (o.assignee !== undefined) u.assignee = o.assignee === '' ? null : o.assignee;
  if (o.externalRef !== undefined) u.externalRef = o.externalRef;
  if (o.defer !== undefined) u.deferUntil = parseWhen(o.defer);
  if (o.addLabel) u.addLabels = listOpt(o.addLabel);
  if (o.removeLabel) u.removeLabels = listOpt(o.removeLabel);
  if (o.parent !== undefined) u.parent = o.parent === '' ? null : o.parent;
  return u;
}

export function registerUpdate(program: Command, ctx: BdCtx): void {
  program
    .command('update')
    .description(
      'change fields of beads; --notes appends, --notes-replace replaces; --claim takes a bead only if nobody else holds it',
    )
    .argument('<ids...>', 'bead ids')
    .option('--title <title>', 'new title')
    .option('-d, --description <text>', 'new description (- reads standard input)')
    .option('--design <text>', 'new design notes')
    .option('--acceptance <text>', 'new acceptance criteria')
    .option('--notes <text>', 'append to the notes (keeps what is there)')
    .option('--append-notes <text>', "append to the notes (Beads' spelling; the same as --notes here)")
    .option('--notes-replace <text>', 'replace the notes entirely')
    .option('-s, --status <status>', 'new status')
    .option('-p, --priority <0-4>', 'new priority')
    .option('-t, --type <type>', 'new type')
    .option('-a, --assignee <who>', 'new assignee ("" clears)')
    .option('--external-ref <ref>', 'link to another tracker')
    .option('--defer <date>', 'hide from ready until this date ("none" clears)')
    .option('--add-label <label>', 'add labels (repeatable)', collect)
    .option('--remove-label <label>', 'remove labels (repeatable)', collect)
    .option(
      '--set-labels <labels>',
      'replace all labels with these (comma-separated, repeatable; "" removes all)',
      collect,
    )
    .option('--parent <id>', 'move under another parent ("" removes the parent)')
    .option('--claim', 'claim for yourself (--actor): fails if someone else holds it')
    .action((ids: string[], o: UpdateOpts) => {
      const store = ctx.store();
      const input = updateInput(ctx.io, o);
      if (!o.claim && Object.keys(input).length === 0 && !o.setLabels) {
        throw usageError(
          'BD_NOTHING_TO_UPDATE',
          'no change given',
          'pass the fields to change, e.g. --status in_progress or --notes "..."',
        );
      }
      const out: Bead[] = [];
      for (const id of ids) {
        let bead: Bead | undefined;
        if (o.claim) {
          const r = claimBead(store, id, ctx.actor() ?? store.actor());
          if (!r.ok) {
            emit(ctx.io, ctx.json(), {
              data: { error: { code: 'BD_CLAIMED', message: r.reason }, id: r.id, holder: r.holder, status: r.status },
              text: '',
            });
            ctx.io.err(
              `Error: ${safeLine(r.reason)}\nHint: pick other work with \`bd ready\`, or ask ${safeLine(r.holder ?? 'the holder')} to release it\n`,
            );
            throw new ExitSignal(1);
          }
          bead = r.bead;
        }
        const perBead = o.setLabels ? { ...input, ...labelsToSet(store, id, o.setLabels, input) } : input;
        if (Object.keys(perBead).length) bead = updateBead(store, id, perBead);
        if (bead) out.push(bead);
      }
      emit(ctx.io, ctx.json(), { data: out.map(issueJson), text: out.map((b) => `Updated ${beadLine(b)}`).join('\n') });
    });

  program
    .command('close')
    .alias('done')
    .description('close beads')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why it is closed')
    .action((ids: string[], o: { reason?: string }) => {
      const beads = closeBeads(ctx.store(), ids, o.reason);
      emit(ctx.io, ctx.json(), {
        data: beads.map(issueJson),
        text: beads.map((b) => `Closed ${beadLine(b)}`).join('\n'),
      });
    });

  program
    .command('reopen')
    .description('reopen closed beads')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why it is reopened')
    .action((ids: string[], o: { reason?: string }) => {
      const beads = reopenBeads(ctx.store(), ids, o.reason);
      emit(ctx.io, ctx.json(), {
        data: beads.map(issueJson),
        text: beads.map((b) => `Reopened ${beadLine(b)}`).join('\n'),
      });
    });

  program
    .command('delete')
    .description('delete beads (kept as tombstones in the ledger so the deletion reaches other clones)')
    .argument('<ids...>', 'bead ids')
    .option('-r, --reason <text>', 'why it is deleted')
    .action((ids: string[], o: { reason?: string }) => {
      const gone = deleteBeads(ctx.store(), ids, o.reason);
      emit(ctx.io, ctx.json(), { data: { deleted: gone }, text: gone.map((id) => `Deleted ${id}`).join('\n') });
    });
}

/** Beads' --set-labels: the labels to add and remove so that a bead carries exactly `wanted`. */
function labelsToSet(
  store: Store,
  raw: string,
  wanted: string[],
  input: UpdateInput,
): Pick<UpdateInput, 'addLabels' | 'removeLabels'> {
  if (input.addLabels || input.removeLabels)
    throw usageError(
      'USAGE',
      '--set-labels with --add-label or --remove-label',
      'give either the whole set or the changes',
    );
  const want = new Set(listOpt(wanted));
  const have = getBead(store.db, resolveId(store, raw))?.labels ?? [];
  return { addLabels: [...want].filter((l) => !have.includes(l)), removeLabels: have.filter((l) => !want.has(l)) };
}
