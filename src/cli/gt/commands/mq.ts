// gt mq list|retry|reject: merge requests by hand (see src/refinery).
import type { Command } from 'commander';
import { openTownStore } from '../../../town/index.ts';
import { listMrs, rejectMr, retryMr, withPullRequests, type MrStatus, type MrWithPr } from '../../../refinery/index.ts';
import { currentAddress } from '../../../work/whoami.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerMq(program: Command, ctx: GtCtx): void {
  const mq = program.command('mq').description('merge requests: list them, retry a failed one, reject one');

  mq
    .command('list')
    .description('merge requests, newest last (all statuses unless --status)')
    .option('--rig <rig>', 'only this rig')
    .option('--status <status>', 'only queued, running, merged, failed or rejected')
    .addHelpText('after', '\nExample:\n  gt mq list --rig myproject --json')
    .action((o: { rig?: string; status?: string }) => {
      const store = openTownStore(ctx.town());
      try {
        const rows = withPullRequests(store, listMrs(store, { ...(o.rig ? { rig: o.rig } : {}), ...(o.status ? { status: [o.status as MrStatus] } : {}) }));
        emit(ctx.io, ctx.json(), { data: rows, text: renderList(rows) });
      } finally {
        store.close();
      }
    });

  mq
    .command('retry')
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

  mq
    .command('reject')
    .description('take a queued or failed merge request off the queue for good')
    .argument('<mr>', 'merge request id (mr-…)')
    .option('-m, --message <reason>', 'why')
    .addHelpText('after', '\nExample:\n  gt mq reject mr-1x2y3z -m "superseded by the new API"')
    .action((id: string, o: { message?: string }) => {
      const town = ctx.town();
      const store = openTownStore(town);
      try {
        const mr = rejectMr(store, id, o.message, currentAddress(town).text);
        emit(ctx.io, ctx.json(), { data: mr, text: `${mr.id} (${mr.bead}) is rejected${o.message ? `: ${o.message}` : ''}.` });
      } finally {
        store.close();
      }
    });
}

function renderList(rows: readonly MrWithPr[]): string {
  if (rows.length === 0) return 'No merge requests.';
  return rows.map((m) => {
    const extra = m.status === 'merged' ? ` ${m.merge_commit?.slice(0, 12)}` : m.status === 'failed' || m.status === 'rejected' ? ` ${(m.failure ?? '').split('\n')[0]}${m.rework_bead ? ` (rework ${m.rework_bead})` : ''}` : '';
    const pr = m.pull_request ? `  PR #${m.pull_request.number} ${m.pull_request.state}${m.pull_request.detail ? ` (${m.pull_request.detail})` : ''} ${m.pull_request.url}` : '';
    return `${m.id}  ${m.rig}  ${m.bead}  P${m.priority}  ${m.status}${extra}  ${m.branch}${pr}`;
  }).join('\n');
}
