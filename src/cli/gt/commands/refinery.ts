// gt refinery status|queue|run: the merge queue of each rig (see src/refinery).
import type { Command } from 'commander';
import { GtError } from '../../../kernel/index.ts';
import { openTownStore, rigNames } from '../../../town/index.ts';
import {
  allRefineryStatus,
  listQueue,
  processQueue,
  resyncWithOrigin,
  type MergeOutcome,
  type ProcessResult,
  type QueuedView,
  type RefineryStatus,
  type ResyncResult,
} from '../../../refinery/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerRefinery(program: Command, ctx: GtCtx): void {
  const refinery = program
    .command('refinery')
    .description('the merge queue: rebase, gate and land finished work on each rig');

  refinery
    .command('status')
    .description("each rig's merge queue: depth, failures, last landing, whether a merge is running")
    .argument('[rig]', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt refinery status myproject')
    .action((rig: string | undefined) => {
      const town = ctx.town();
      const store = openTownStore(town);
      try {
        const list = allRefineryStatus(town, store, rig);
        emit(ctx.io, ctx.json(), { data: list, text: renderStatus(list) });
      } finally {
        store.close();
      }
    });

  refinery
    .command('queue')
    .description('queued merge requests in the order the refinery takes them (priority, then age, with aging)')
    .argument('[rig]', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt refinery queue myproject --json')
    .action((rig: string | undefined) => {
      const town = ctx.town();
      const store = openTownStore(town);
      try {
        const rows = (rig ? [rig] : rigNames(town)).flatMap((r) => listQueue(store, r));
        emit(ctx.io, ctx.json(), { data: rows, text: renderQueue(rows) });
      } finally {
        store.close();
      }
    });

  refinery
    .command('run')
    .description("process a rig's merge queue now, in the foreground, until it is empty")
    .argument('<rig>', 'the rig')
    .option('--batch <n>', 'requests per batch (default: rig.json merge_queue.batch)')
    .option('--no-sling', 'leave rework beads open instead of slinging them to a polecat')
    .addHelpText('after', '\nExamples:\n  gt refinery run myproject\n  gt refinery run myproject --batch 8 --json')
    .action(async (rig: string, o: { batch?: string; sling: boolean }) => {
      const town = ctx.town();
      const batch = o.batch !== undefined ? Number(o.batch) : undefined;
      if (batch !== undefined && (!Number.isInteger(batch) || batch < 1)) {
        throw new GtError('GT_BAD_BATCH', `--batch must be a whole number ≥ 1, not "${o.batch}"`, {
          kind: 'usage',
          hint: 'e.g. --batch 8',
        });
      }
      const live = !ctx.json();
      const r = await processQueue(town, rig, {
        sling: o.sling,
        catchUp: true,
        ...(batch !== undefined ? { batch } : {}),
        ...(live ? { onOutcome: (x: MergeOutcome) => ctx.io.err(`${renderOutcome(x)}\n`) } : {}),
      });
      if (r.status === 'unsupported')
        throw new GtError('GT_MQ_UNSUPPORTED', r.message ?? 'not supported yet', {
          hint: 'use "merge_strategy": "mr" in rig.json',
        });
      if (r.status === 'busy')
        throw new GtError('GT_MQ_BUSY', r.message ?? 'the rig is being merged by another process', {
          hint: 'wait for it to finish; gt refinery status shows the running pid',
        });
      if (r.status === 'blocked')
        throw new GtError('GT_MQ_BLOCKED', r.message ?? 'the merge queue is stopped', {
          ...(r.hint ? { hint: r.hint } : {}),
          details: r,
        });
      emit(ctx.io, ctx.json(), { data: r, text: renderRun(r) });
    });

  refinery
    .command('resync')
    .description(
      "after origin's default branch was rewritten (force-pushed): move the rig onto it, keeping the old tip on a branch",
    )
    .argument('<rig>', 'the rig')
    .addHelpText(
      'after',
      '\nQueued requests are then rebased onto the new history by the next run; the old commits are kept, never replayed.\n\nExample:\n  gt refinery resync myproject && gt refinery run myproject',
    )
    .action((rig: string) => {
      const r = resyncWithOrigin(ctx.town(), rig);
      emit(ctx.io, ctx.json(), { data: r, text: renderResync(r) });
    });
}

export function renderOutcome(o: MergeOutcome): string {
  switch (o.status) {
    case 'merged':
      return `merged   ${o.mr} ${o.bead} as ${o.commit.slice(0, 12)}${'pr' in o ? ` via #${o.pr}` : ''}${o.branch_deleted ? '' : ` (branch kept: ${o.branch_note ?? 'unknown'})`}`;
    case 'recovered-merged':
      return `merged   ${o.mr} ${o.bead} (found on the default branch after an interrupted run) ${o.commit.slice(0, 12)}`;
    case 'requeued':
      return `requeued ${o.mr} ${o.bead}: ${o.reason}`;
    case 'conflict':
      return `conflict ${o.mr} ${o.bead} in ${o.files.join(', ') || '?'} → rework ${o.rework_bead} (${o.slung})`;
    case 'gate-failed':
    case 'gate-timeout':
      return `${o.status === 'gate-timeout' ? 'timeout ' : 'failed  '} ${o.mr} ${o.bead}: ${o.gate} gate${o.status === 'gate-timeout' ? ' timed out' : ' failed'} → rework ${o.rework_bead} (${o.slung})`;
    case 'error':
      return `error    ${o.mr} ${o.bead}: ${o.reason}`;
    case 'pr-opened':
      return `PR       ${o.mr} ${o.bead}: ${o.reused ? 'rework pushed to' : 'opened'} #${o.pr} ${o.url} (branch ${o.branch})`;
    case 'pr-waiting':
      return `waiting  ${o.mr} ${o.bead}: PR #${o.pr} ${o.detail}`;
    case 'pr-auto-merge':
      return `auto     ${o.mr} ${o.bead}: auto-merge enabled on PR #${o.pr}`;
    case 'pr-queued':
      return `queued   ${o.mr} ${o.bead}: PR #${o.pr} is in GitHub's merge queue`;
    case 'check-failed':
      return `failed   ${o.mr} ${o.bead}: check "${o.check}" on PR #${o.pr} → rework ${o.rework_bead} (${o.slung})`;
    case 'changes-requested':
      return `changes  ${o.mr} ${o.bead}: ${o.reviewers.join(', ')} asked for changes on PR #${o.pr} → rework ${o.rework_bead} (${o.slung})`;
    case 'pr-closed':
      return `closed   ${o.mr} ${o.bead}: ${o.reason}; the bead is open again`;
  }
}

function renderRun(r: ProcessResult): string {
  const merged = r.outcomes.filter((o) => o.status === 'merged' || o.status === 'recovered-merged').length;
  const failed = r.outcomes.filter(
    (o) =>
      o.status === 'conflict' ||
      o.status.startsWith('gate-') ||
      o.status === 'check-failed' ||
      o.status === 'changes-requested',
  ).length;
  const head = `Rig ${r.rig}: ${merged} merged, ${failed} sent back for rework, ${r.gate_runs} gate run${r.gate_runs === 1 ? '' : 's'}, ${r.batches} batch${r.batches === 1 ? '' : 'es'} in ${(r.ms / 1000).toFixed(1)} s.`;
  return [head, ...(r.message ? [r.message] : []), ...renderWhere(r)].join('\n');
}

/** Where the landed work is: the repository the rig came from, or only the rig's own repository (and why). */
function renderWhere(r: ProcessResult): string[] {
  if (r.undelivered)
    return [
      `Landed work up to ${r.undelivered.commit.slice(0, 12)} is only in the rig's repository: ${r.undelivered.reason}`,
    ];
  const d = r.delivered;
  if (!d) return [];
  return [`Landed work is on ${d.ref} in ${d.target} (at ${d.commit.slice(0, 12)})${d.note ? `: ${d.note}` : ''}`];
}

function renderResync(r: ResyncResult): string {
  switch (r.state) {
    case 'moved':
      return `Rig ${r.rig}: ${r.branch} moved from ${r.from!.slice(0, 12)} to origin's ${r.to!.slice(0, 12)}; the old tip is kept as branch ${r.kept} in ${r.repo}.\nQueued requests land on the new history at the next run (gt refinery run ${r.rig}).`;
    case 'fast-forwarded':
      return `Rig ${r.rig}: ${r.branch} fast-forwarded to origin's ${r.to!.slice(0, 12)}.`;
    case 'origin-behind':
      return `Rig ${r.rig}: origin's ${r.branch} lacks the rig's newest commits but was not rewritten; the next run pushes them.`;
    default:
      return `Rig ${r.rig}: ${r.branch} already matches origin.`;
  }
}

function renderStatus(list: readonly RefineryStatus[]): string {
  if (list.length === 0) return 'No rigs yet. Add one with: gt rig add <name> <git-url|path>';
  return list
    .map((s) => {
      const c = s.counts;
      const last = s.last_merged
        ? `last landed ${s.last_merged.bead} (${s.last_merged.commit?.slice(0, 12)}) at ${s.last_merged.at}`
        : 'nothing landed yet';
      const where = s.undelivered
        ? `\n  landed work only in the rig: ${s.undelivered.reason}`
        : s.delivered
          ? `\n  landed work: on ${s.delivered.ref} in ${s.delivered.target}${s.delivered.note ? ` (${s.delivered.note})` : ''}`
          : '';
      const blocked = s.blocked ? `\n  stopped: ${s.blocked.message} (${s.blocked.hint})` : '';
      return `${s.rig} → ${s.default_branch}  strategy ${s.merge_strategy}, batch ${s.batch}, push ${s.push}${s.running_pid ? `, merging now (pid ${s.running_pid})` : ''}\n  queued ${c.queued}, running ${c.running}, merged ${c.merged}, failed ${c.failed}, rejected ${c.rejected}; ${last}${where}${blocked}`;
    })
    .join('\n');
}

function renderQueue(rows: readonly QueuedView[]): string {
  if (rows.length === 0) return 'The merge queue is empty.';
  return rows
    .map(
      (m) =>
        `${String(m.position).padStart(3)}. ${m.id}  ${m.rig}  ${m.bead}  P${m.priority}${m.effective_priority !== m.priority ? `→${m.effective_priority}` : ''}  ${m.branch}  ${m.created_at}`,
    )
    .join('\n');
}
