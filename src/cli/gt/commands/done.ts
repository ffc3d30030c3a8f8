// gt done: the polecat hands in its hooked work (see src/work/done).
import { Option, type Command } from 'commander';
import { done, doneAddress, parseDoneStatus, type DoneResult } from '../../../work/done/index.ts';
import { mergeQueue } from '../../../refinery/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerDone(program: Command, ctx: GtCtx): void {
  program
    .command('done')
    .description('hand in your hooked work: commit leftovers, queue a merge request, go idle')
    .option('--status <status>', 'completed (default), escalated (mails the Mayor) or deferred', 'completed')
    .option('-m, --message <note>', 'a note for the bead (and the Mayor when escalating)')
    .option('--stop', "stop this polecat's session afterwards (default: settings polecats.stop_after_done)")
    // A remote workspace's gt pushes the branch itself, then has the town hand it in (docs/town-api.md).
    .addOption(
      new Option(
        '--pushed <commit>',
        "the branch was pushed to the rig's repository at this commit; the town worktree is not used",
      ).hideHelp(),
    )
    .addOption(new Option('--committed-leftovers', 'the pushing workspace committed leftovers').hideHelp())
    .addHelpText('after', '\nExamples:\n  gt done\n  gt done --status escalated -m "the API needs a decision"')
    .action(
      async (o: {
        status: string;
        message?: string;
        stop?: boolean;
        pushed?: string;
        committedLeftovers?: boolean;
      }) => {
        const town = ctx.town();
        const status = parseDoneStatus(o.status);
        const r = await done(town, doneAddress(town, ctx.io.cwd, ctx.io.env), mergeQueue, {
          status,
          ...(o.message !== undefined ? { note: o.message } : {}),
          ...(o.stop ? { stopSession: true } : {}),
          ...(o.pushed !== undefined
            ? { pushed: { head: o.pushed, committedLeftovers: Boolean(o.committedLeftovers) } }
            : {}),
        });
        emit(ctx.io, ctx.json(), { data: r, text: renderDone(r) });
      },
    );
}

export function renderDone(r: DoneResult): string {
  const lines: string[] = [];
  if (r.committed_leftovers) lines.push(`Committed leftover changes on ${r.branch}.`);
  switch (r.outcome) {
    case 'enqueued':
      lines.push(
        `Queued merge request ${r.mr} for ${r.bead} (${r.commits} commit${r.commits === 1 ? '' : 's'} on ${r.branch}). The refinery lands it; you are idle.`,
      );
      break;
    case 'already-enqueued':
      lines.push(
        `Merge request ${r.mr} for ${r.bead} at ${r.head?.slice(0, 12)} was already queued (${r.mr_status}); nothing new to hand in.`,
      );
      break;
    case 'landed':
      lines.push(
        `Landed ${r.bead} on the default branch directly (merge mode direct, no gates; merge request ${r.mr}). You are idle.`,
      );
      break;
    case 'left-on-branch':
      lines.push(
        `Closed ${r.bead}; its ${r.commits} commit${r.commits === 1 ? '' : 's'} stay on ${r.branch} (merge mode local) for a person to merge.`,
      );
      break;
    case 'no-changes':
      lines.push(`No commits beyond the default branch: closed ${r.bead} as "no changes".`);
      break;
    case 'already-closed':
      lines.push(`${r.bead} is already closed; nothing to hand in.`);
      break;
    case 'nothing-hooked':
      lines.push(`${r.address} has nothing on its hook; nothing to hand in.`);
      break;
    case 'escalated':
      lines.push(`Escalated ${r.bead} to the Mayor; your work so far is on ${r.branch}.`);
      break;
    case 'deferred':
      lines.push(`Deferred ${r.bead}; your work so far is on ${r.branch}.`);
      break;
  }
  if (r.session_stopped) lines.push('Session stopped.');
  for (const d of r.drained) {
    lines.push(
      d.status === 'started'
        ? `From the queue: slung ${d.bead} to ${d.polecat} on ${d.branch}`
        : `From the queue: ${d.status} ${d.bead}${d.reason ? ` (${d.reason})` : ''}`,
    );
  }
  if (r.drain_error)
    lines.push(`The sling queue was not drained (${r.drain_error}); the daemon drains it on its next tick.`);
  return lines.join('\n');
}
