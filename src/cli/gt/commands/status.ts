// gt status: rigs, agents by state, convoys with progress bars, merge-queue depth, problems and the latest events.
import type { Command } from 'commander';
import { GtError, safeText } from '../../../kernel/index.ts';
import { townStatus, type TownStatus } from '../../../daemon/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import type { TownContext } from '../../../town/index.ts';
import { allRigStates, townDown, type RigState } from '../../../work/rig-state/index.ts';
import { runningDashboard, type DashboardRecord } from './dashboard-file.ts';

/** gt status's data: the town's status, plus what is up beside the daemon (dashboard, town down, rig modes). */
export type StatusView = TownStatus & {
  dashboard: DashboardRecord | null;
  down: { since: string; by: string } | null;
  rig_modes: Record<string, RigState>;
};

async function statusView(town: TownContext, events: number): Promise<StatusView> {
  return {
    ...(await townStatus(town, { events })),
    dashboard: runningDashboard(town) ?? null,
    down: townDown(town) ?? null,
    rig_modes: allRigStates(town),
  };
}

export function registerStatus(program: Command, ctx: GtCtx): void {
  program
    .command('status')
    .description('the town at a glance: rigs, agents, convoys, merge queues, problems, recent events')
    .option('-w, --watch', 'redraw every 2 s until Ctrl-C (in a terminal)')
    .option('-e, --events <n>', 'how many recent events to show', '8')
    .addHelpText('after', '\nExamples:\n  gt status\n  gt status --watch\n  gt status --json')
    .action(async (o: { watch?: boolean; events: string }) => {
      const events = Math.max(0, Math.min(200, Number(o.events) || 0));
      const town = ctx.town();
      if (!o.watch) {
        const s = await statusView(town, events);
        emit(ctx.io, ctx.json(), { data: s, text: renderStatus(s) });
        return;
      }
      if (ctx.json() || !process.stdout.isTTY) {
        throw new GtError('GT_NO_TERMINAL', '--watch redraws a terminal screen and needs one', {
          kind: 'usage',
          hint: 'run gt status without --watch (add --json for data), or run it in a terminal',
        });
      }
      for (;;) {
        const s = await statusView(town, events);
        ctx.io.out(`\x1b[H\x1b[2J${safeText(renderStatus(s))}\n\n(refreshing every 2 s; Ctrl-C to stop)\n`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    });
}

/** Where a rig's landed work is: in the repository it came from (which branch), or only in the rig. */
function landedLine(l: TownStatus['rigs'][number]['landed']): string | undefined {
  if (l.only_in_rig) return `landed work: only in ${l.repo} (${l.reason ?? 'not delivered yet'})`;
  const d = l.delivered;
  if (!d) return undefined;
  return `landed work: on ${d.ref} in ${d.target}${d.commit !== l.commit ? ` (up to ${d.commit.slice(0, 12)})` : ''}${d.note ? ` — ${d.note}` : ''}`;
}

export function renderStatus(s: TownStatus & Partial<Pick<StatusView, 'dashboard' | 'down' | 'rig_modes'>>): string {
  const out: string[] = [];
  const d = s.daemon;
  out.push(`Town ${s.town.name} (${s.town.root})`);
  out.push(
    d.running
      ? `Daemon: running (pid ${d.pid}), ${d.ticks ?? 0} ticks${d.heartbeat_at ? `, last ${ago(d.heartbeat_at)}` : ''}`
      : 'Daemon: not running (gt daemon start)',
  );
  if (s.dashboard !== undefined)
    out.push(
      s.dashboard
        ? `Dashboard: running on ${s.dashboard.bind}:${s.dashboard.port} (pid ${s.dashboard.pid})`
        : 'Dashboard: not running (gt dashboard)',
    );
  if (s.down)
    out.push(
      `Town: down since ${s.down.since}${s.down.by ? ` (by ${s.down.by})` : ''}: no work is fed; gt up brings it back`,
    );
  out.push('', 'Rigs');
  if (s.rigs.length === 0) out.push('  none yet (gt rig add <name> <git-url>)');
  for (const r of s.rigs) {
    const mode = s.rig_modes?.[r.name];
    out.push(
      `  ${r.name} (${r.prefix})${mode ? `  [${mode.mode}]` : ''}  polecats ${r.polecats.working} working / ${r.polecats.total}  merge queue ${r.queue.queued} queued, ${r.queue.running} running${r.queue.failed ? `, ${r.queue.failed} failed` : ''}, ${r.queue.merged} merged`,
    );
    const where = landedLine(r.landed);
    if (where) out.push(`    ${where}`);
    for (const p of r.pull_requests ?? [])
      out.push(`    PR #${p.number} ${p.state}${p.detail ? ` (${p.detail})` : ''} ${p.url}`);
  }
  const states = Object.entries(s.agents.by_state)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  out.push('', `Agents: ${s.agents.total ? states : 'none running'}`);
  for (const a of s.agents.list)
    out.push(
      `  ${a.address.padEnd(24)} ${a.state.padEnd(8)} ${a.runtime.padEnd(8)} ${a.hooked_bead ?? ''}${a.host ? ` (on ${a.host})` : ''}`.trimEnd(),
    );
  out.push('', `Convoys: ${s.convoys.length ? '' : 'none open'}`.trimEnd());
  for (const c of s.convoys)
    out.push(`  ${c.id.padEnd(10)} ${bar(c.landed, c.total)} ${c.landed}/${c.total}  ${c.title}`);
  out.push('', `Problems: ${s.problems.length ? '' : 'none'}`.trimEnd());
  for (const p of s.problems) out.push(`  ! ${p.message}`);
  if (s.events.length) {
    out.push('', 'Recent events');
    for (const e of s.events)
      out.push(
        `  ${e.at.slice(11, 19)} ${e.actor.padEnd(10)} ${e.kind.padEnd(20)} ${e.subject ?? ''}${e.reason ? `: ${e.reason}` : ''}`,
      );
  }
  return out.join('\n');
}

/** A 20-cell progress bar, e.g. `[########------------]`. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}
