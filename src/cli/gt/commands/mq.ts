// gt mq list|status|next|submit|retry|reject: merge requests by hand (see src/refinery).
import type { Command } from 'commander';
import { getBead } from '../../../beads/index.ts';
import { safeLine, usageError } from '../../../kernel/index.ts';
import { listTownEvents, loadRig, openTownStore, type TownEvent } from '../../../town/index.ts';
import {
  getMr,
  listMrs,
  listQueue,
  rejectMr,
  retryMr,
  withPullRequests,
  type MrStatus,
  type MrWithPr,
  type QueuedView,
} from '../../../refinery/index.ts';
import { currentAddress } from '../../../work/whoami.ts';
import { submitBranch } from '../../../work/mq-submit.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

const MR_STATUSES: readonly MrStatus[] = ['queued', 'running', 'merged', 'failed', 'rejected'];

export function registerMq(program: Command, ctx: GtCtx): void {
  const mq = program
    .command('mq')
    .description('the merge queue: list it, see one request or the next, submit a branch, retry or reject a request');

  mq.command('list')
    .description('merge requests, newest last (all statuses unless --status)')
    .argument('[rig]', 'only this rig (as --rig)')
    .option('--rig <rig>', 'only this rig')
    .option('--status <status>', 'only queued, running, merged, failed or rejected')
    .addHelpText('after', '\nExamples:\n  gt mq list myproject\n  gt mq list --rig myproject --status failed --json')
    .action((rig: string | undefined, o: { rig?: string; status?: string }) => {
      if (rig !== undefined) o.rig = rig;
      if (o.status !== undefined && !MR_STATUSES.includes(o.status as MrStatus))
        throw usageError(
          'GT_BAD_STATUS',
          `--status "${o.status}" is not a merge request status`,
          `use one of: ${MR_STATUSES.join(', ')}`,
        );
      if (o.rig !== undefined) loadRig(ctx.town(), o.rig);
      const store = openTownStore(ctx.town());
      try {
        const rows = withPullRequests(
          store,
          listMrs(store, { ...(o.rig ? { rig: o.rig } : {}), ...(o.status ? { status: [o.status as MrStatus] } : {}) }),
        );
        emit(ctx.io, ctx.json(), { data: rows, text: renderList(rows) });
      } finally {
        store.close();
      }
    });

  mq.command('status')
    .description(
      'one merge request in detail: its bead, branch, place in the queue, why it failed, what happened to it',
    )
    .argument('<mr>', 'merge request id (mr-…)')
    .addHelpText('after', '\nExamples:\n  gt mq status mr-1x2y3z\n  gt mq status mr-1x2y3z --json')
    .action((id: string) => {
      const store = openTownStore(ctx.town());
      try {
        const mr = getMr(store, id);
        if (!mr) throw usageError('GT_MR_NOT_FOUND', `no merge request ${id}`, 'list them with gt mq list');
        const bead = getBead(store.db, mr.bead);
        const queued = mr.status === 'queued' ? listQueue(store, mr.rig).find((q) => q.id === mr.id) : undefined;
        const events = listTownEvents(store, { subject: mr.bead, limit: 10_000 }).filter((e) => mentions(e, mr.id));
        const data = {
          ...withPullRequests(store, [mr])[0]!,
          bead_title: bead?.title ?? null,
          bead_status: bead?.status ?? null,
          position: queued?.position ?? null,
          effective_priority: queued?.effective_priority ?? null,
          events,
        };
        emit(ctx.io, ctx.json(), { data, text: renderStatus(data) });
      } finally {
        store.close();
      }
    });

  mq.command('next')
    .description('the merge request the refinery takes next in a rig (priority, aged by waiting, then oldest)')
    .argument('<rig>', 'the rig')
    .option('-q, --quiet', 'print only its id')
    .addHelpText('after', '\nExamples:\n  gt mq next myproject\n  gt mq next myproject -q')
    .action((rig: string, o: { quiet?: boolean }) => {
      const town = ctx.town();
      loadRig(town, rig);
      const store = openTownStore(town);
      try {
        const next = listQueue(store, rig)[0] ?? null;
        if (o.quiet && !ctx.json()) {
          if (next) ctx.io.out(`${next.id}\n`);
          return;
        }
        emit(ctx.io, ctx.json(), {
          data: next,
          text: next ? nextLine(next, listQueue(store, rig).length) : `Nothing queued in ${rig}.`,
        });
      } finally {
        store.close();
      }
    });

  mq.command('submit')
    .description(
      "put a branch of this clone (a polecat worktree or a crew clone) on the rig's merge queue for a bead; gt done does this and more for polecats",
    )
    .option('--branch <branch>', 'the branch (default: the one checked out here)')
    .option('--issue <bead>', "the bead it does (default: the bead the branch is named after, else the polecat's hook)")
    .option('-p, --priority <0-4>', "queue priority, 0 first (default: the bead's)")
    .option(
      '--rig <rig>',
      'with --head: submit a branch already pushed to this rig (what gt does as a town API client)',
    )
    .option('--head <commit>', 'with --rig: the commit the pushed branch must be at')
    .addHelpText(
      'after',
      "\nWith GT_TOWN_URL set (away from the town), gt pushes the branch from this clone to the rig over the town's git\nendpoint, then submits it there.\n\nExamples:\n  gt mq submit\n  gt mq submit --branch fix/login --issue app-x1f -p 1",
    )
    .action((o: { branch?: string; issue?: string; priority?: string; rig?: string; head?: string }) => {
      const priority = o.priority === undefined ? undefined : Number(o.priority);
      if (priority !== undefined && !/^[0-4]$/.test(o.priority!.trim()))
        throw usageError('GT_BAD_PRIORITY', `--priority must be 0, 1, 2, 3 or 4, not "${o.priority}"`);
      const town = ctx.town();
      if ((o.rig === undefined) !== (o.head === undefined))
        throw usageError('GT_BAD_ARGS', '--rig and --head go together', 'give both, or neither to submit from here');
      const r = submitBranch(town, {
        cwd: ctx.io.cwd,
        ...(o.rig !== undefined && o.head !== undefined ? { pushed: { rig: o.rig, head: o.head } } : {}),
        actor: currentAddress(town).text,
        ...(o.branch !== undefined ? { branch: o.branch } : {}),
        ...(o.issue !== undefined ? { bead: o.issue } : {}),
        ...(priority !== undefined ? { priority } : {}),
      });
      const text = r.created
        ? `Submitted ${r.branch} (${r.head.slice(0, 12)}, ${r.commits} commit${r.commits === 1 ? '' : 's'}) for ${r.bead}: merge request ${r.mr.id} is queued in ${r.rig}${r.superseded.length ? ` (replaces ${r.superseded.join(', ')})` : ''}.`
        : `${r.branch} at ${r.head.slice(0, 12)} was already submitted: ${r.mr.id} is ${r.mr.status}.`;
      emit(ctx.io, ctx.json(), { data: r, text });
    });

  mq.command('retry')
    .description('put a failed or rejected merge request back on the queue')
    .argument('<mr>', 'merge request id (mr-…)')
    .addHelpText('after', '\nExample:\n  gt mq retry mr-1x2y3z')
    .action((id: string) => {
      const town = ctx.town();
      const store = openTownStore(town);
      try {
        const mr = retryMr(store, id, currentAddress(town).text);
        emit(ctx.io, ctx.json(), { data: mr, text: `${mr.id} (${mr.bead}) is queued again.` });
      } finally {
        store.close();
      }
    });

  mq.command('reject')
    .description('take a queued or failed merge request off the queue for good')
    .argument('<mr>', 'merge request id (mr-…)')
    .option('-m, --message <reason>', 'why')
    .addHelpText('after', '\nExample:\n  gt mq reject mr-1x2y3z -m "superseded by the new API"')
    .action((id: string, o: { message?: string }) => {
      const town = ctx.town();
      const store = openTownStore(town);
      try {
        const mr = rejectMr(store, id, o.message, currentAddress(town).text);
        emit(ctx.io, ctx.json(), {
          data: mr,
          text: `${mr.id} (${mr.bead}) is rejected${o.message ? `: ${o.message}` : ''}.`,
        });
      } finally {
        store.close();
      }
    });
}

/** An event about this request: named in its data or its reason. */
function mentions(e: TownEvent, id: string): boolean {
  const d = e.data as { mr?: unknown } | null;
  return (!!d && typeof d === 'object' && d.mr === id) || (e.reason ?? '').includes(id);
}

function nextLine(m: QueuedView, queued: number): string {
  return `${m.id}  ${m.bead}  P${m.priority}${m.effective_priority !== m.priority ? ` (aged to P${m.effective_priority})` : ''}  ${m.branch}  queued ${m.created_at.slice(0, 16).replace('T', ' ')}  (1 of ${queued})`;
}

function renderStatus(
  d: MrWithPr & {
    bead_title: string | null;
    bead_status: string | null;
    position: number | null;
    effective_priority: number | null;
    events: TownEvent[];
  },
): string {
  const lines = [
    `${d.id}  ${d.status}${d.position !== null ? ` (position ${d.position} in the queue, P${d.effective_priority})` : ''}`,
    `  bead:     ${d.bead}${d.bead_title !== null ? ` ${d.bead_title} (${d.bead_status})` : ' (not in the town store)'}`,
    `  rig:      ${d.rig}${d.polecat ? `  polecat ${d.polecat}` : ''}`,
    `  branch:   ${d.branch} at ${d.head.slice(0, 12)}`,
    `  priority: P${d.priority}  attempts ${d.attempts}`,
    `  queued:   ${d.created_at}${d.started_at ? `  started ${d.started_at}` : ''}${d.finished_at ? `  finished ${d.finished_at}` : ''}`,
  ];
  if (d.merge_commit) lines.push(`  merged:   ${d.merge_commit}`);
  if (d.failure) lines.push(`  failure:  ${d.failure.split('\n')[0]}`);
  if (d.rework_bead) lines.push(`  rework:   ${d.rework_bead}`);
  if (d.pull_request) lines.push(`  PR:       #${d.pull_request.number} ${d.pull_request.state} ${d.pull_request.url}`);
  for (const e of d.events) lines.push(`  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.kind}  ${e.reason ?? ''}`);
  return lines.map(safeLine).join('\n');
}

function renderList(rows: readonly MrWithPr[]): string {
  if (rows.length === 0) return 'No merge requests.';
  return rows
    .map((m) => {
      const extra =
        m.status === 'merged'
          ? ` ${m.merge_commit?.slice(0, 12)}`
          : m.status === 'failed' || m.status === 'rejected'
            ? ` ${(m.failure ?? '').split('\n')[0]}${m.rework_bead ? ` (rework ${m.rework_bead})` : ''}`
            : '';
      const pr = m.pull_request
        ? `  PR #${m.pull_request.number} ${m.pull_request.state}${m.pull_request.detail ? ` (${m.pull_request.detail})` : ''} ${m.pull_request.url}`
        : '';
      return `${m.id}  ${m.rig}  ${m.bead}  P${m.priority}  ${m.status}${extra}  ${m.branch}${pr}`;
    })
    .join('\n');
}
