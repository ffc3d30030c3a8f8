// gt up|down|shutdown: bring the whole town up (daemon, Mayor, stopped work) or down (agents, and with --all the
// daemon; shutdown also the dashboard), saying what each step did.
import type { Command } from 'commander';
import { messageOf, safeText } from '../../../kernel/index.ts';
import { startDaemon, stopDaemon, type StartOutcome, type StopOutcome } from '../../../daemon/index.ts';
import { currentAddress } from '../../../work/index.ts';
import {
  startStoppedPolecats,
  stopAgents,
  type StartedPolecat,
  type StopAgentsResult,
} from '../../../work/lifecycle/index.ts';
import { rigState, setTownDown, townDown } from '../../../work/rig-state/index.ts';
import { listCrew } from '../../../town/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { stopDashboard, type DashboardRecord } from './dashboard-file.ts';
import { ensureStarted, identityFor } from './session-support.ts';

interface UpResult {
  daemon: StartOutcome | { status: 'failed'; error: string };
  mayor:
    | { status: 'started' | 'already-running'; agent: string; session: string }
    | { status: 'failed'; error: string }
    | { status: 'skipped' };
  polecats: StartedPolecat[];
  /** The crew members settings `always_on` lists: started, already running, or skipped (a docked or parked rig). */
  always_on: AlwaysOn[];
  failed: { address: string; error: string }[];
  /** The town was down (gt down) and takes work again. */
  was_down: boolean;
}

type AlwaysOn =
  | { address: string; status: 'started' | 'already-running'; agent: string; session: string }
  | { address: string; status: 'skipped'; reason: string }
  | { address: string; status: 'failed'; error: string };

interface DownResult extends StopAgentsResult {
  daemon: StopOutcome | null;
  dashboard: DashboardRecord | null;
}

export function registerLifecycle(program: Command, ctx: GtCtx): void {
  program
    .command('up')
    .description(
      'bring the town up: the daemon, the Mayor, the crew settings always_on lists, and polecats stopped with work on their hooks (does nothing twice)',
    )
    .option('--agent <name>', 'agent for the Mayor if it has to be started')
    .option('--no-mayor', 'leave the Mayor down')
    .addHelpText(
      'after',
      '\nAlways-on crew: settings/config.json "always_on": ["<rig>/crew/<name>", …]; the daemon restarts one whose session dies (gt crew stop keeps it down). Polecats and crew of parked or docked rigs stay down (gt rig unpark / undock).\n\nExamples:\n  gt up\n  gt up --no-mayor --json',
    )
    .action(async (o: { agent?: string; mayor: boolean }) => {
      const town = ctx.town();
      const actor = currentAddress(town).text;
      const was_down = townDown(town) !== undefined;
      setTownDown(town, undefined);
      const r: UpResult = {
        daemon: { status: 'failed', error: '' },
        mayor: { status: 'skipped' },
        polecats: [],
        always_on: [],
        failed: [],
        was_down,
      };
      try {
        r.daemon = await startDaemon(town);
      } catch (e) {
        r.daemon = { status: 'failed', error: messageOf(e) };
        r.failed.push({ address: 'daemon', error: messageOf(e) });
      }
      if (o.mayor) {
        try {
          const m = await ensureStarted(ctx, identityFor(ctx, 'mayor'), o.agent);
          r.mayor = { status: m.status, agent: m.agent, session: m.session };
        } catch (e) {
          r.mayor = { status: 'failed', error: messageOf(e) };
          r.failed.push({ address: 'mayor', error: messageOf(e) });
        }
      }
      for (const address of town.settings.always_on ?? []) {
        const a = await startAlwaysOn(ctx, address);
        r.always_on.push(a);
        if (a.status === 'failed') r.failed.push({ address, error: a.error });
      }
      const p = await startStoppedPolecats(town, { actor });
      r.polecats = p.started;
      r.failed.push(...p.failed);
      emit(ctx.io, ctx.json(), { data: r, text: renderUp(r) });
      fail(ctx, r.failed);
    });

  program
    .command('down')
    .description(
      "stop the town's agents (polecats keep their hooks, worktrees snapshotted first); the daemon stays unless --all",
    )
    .option('--all', 'stop the daemon too')
    .addHelpText(
      'after',
      '\nWhile the town is down no convoy is fed and the sling queue waits; gt up brings it back.\n\nExamples:\n  gt down\n  gt down --all',
    )
    .action(async (o: { all?: boolean }) => {
      const r = await bringDown(ctx, { daemon: o.all ?? false, dashboard: false });
      emit(ctx.io, ctx.json(), { data: r, text: renderDown(r) });
      fail(ctx, r.failed);
    });

  program
    .command('shutdown')
    .description('stop everything: every agent (hooks kept, worktrees snapshotted), the daemon and the dashboard')
    .addHelpText('after', '\nNothing on disk is removed; gt up starts the town again.\n\nExample:\n  gt shutdown')
    .action(async () => {
      const r = await bringDown(ctx, { daemon: true, dashboard: true });
      emit(ctx.io, ctx.json(), { data: r, text: renderDown(r) });
      fail(ctx, r.failed);
    });
}

/** Start one crew member settings `always_on` lists, unless its rig is docked or parked. */
async function startAlwaysOn(ctx: GtCtx, address: string): Promise<AlwaysOn> {
  const town = ctx.town();
  const [rig = '', , name = ''] = address.split('/');
  try {
    const state = rigState(town, rig);
    if (state)
      return {
        address,
        status: 'skipped',
        reason: `rig ${rig} is ${state.mode} (gt rig ${state.mode === 'docked' ? 'undock' : 'unpark'} ${rig})`,
      };
    if (!listCrew(town, rig).some((m) => m.name === name)) {
      return {
        address,
        status: 'failed',
        error: `settings always_on lists ${address}, but rig "${rig}" has no crew member "${name}" (gt crew add ${name} --rig ${rig})`,
      };
    }
    const m = await ensureStarted(ctx, identityFor(ctx, address), undefined);
    return { address, status: m.status, agent: m.agent, session: m.session };
  } catch (e) {
    return { address, status: 'failed', error: messageOf(e) };
  }
}

async function bringDown(ctx: GtCtx, o: { daemon: boolean; dashboard: boolean }): Promise<DownResult> {
  const town = ctx.town();
  const actor = currentAddress(town).text;
  setTownDown(town, actor);
  // The daemon first: it would restart what is being stopped, or feed new work meanwhile.
  const daemon = o.daemon ? await stopDaemon(town) : null;
  const dashboard = o.dashboard ? ((await stopDashboard(town)) ?? null) : null;
  const agents = await stopAgents(town, { actor });
  return { ...agents, daemon, dashboard };
}

function fail(ctx: GtCtx, failed: readonly { address: string; error: string }[]): void {
  if (failed.length === 0) return;
  if (!ctx.json())
    ctx.io.err(
      safeText(
        `${failed.map((f) => `Error: ${f.address}: ${f.error}`).join('\n')}\nHint: gt status shows what is up; gt doctor checks the agents' runtimes\n`,
      ),
    );
  throw new ExitSignal(1);
}

function renderUp(r: UpResult): string {
  const d = r.daemon;
  const lines = [
    d.status === 'failed'
      ? 'Daemon: did not start'
      : d.status === 'already-running'
        ? `Daemon: already running (pid ${d.pid})`
        : `Daemon: started (pid ${d.pid})`,
  ];
  const m = r.mayor;
  if (m.status === 'started') lines.push(`Mayor: started (${m.agent}) in tmux session ${m.session}`);
  else if (m.status === 'already-running') lines.push(`Mayor: already running (${m.agent})`);
  else if (m.status === 'failed') lines.push('Mayor: did not start');
  for (const a of r.always_on) {
    if (a.status === 'started') lines.push(`Crew ${a.address}: started (${a.agent}) in tmux session ${a.session}`);
    else if (a.status === 'already-running') lines.push(`Crew ${a.address}: already running (${a.agent})`);
    else if (a.status === 'skipped') lines.push(`Crew ${a.address}: left down: ${a.reason}`);
    else lines.push(`Crew ${a.address}: did not start`);
  }
  for (const p of r.polecats)
    lines.push(`Polecat ${p.address}: ${p.status === 'started' ? 'started' : 'already running'} on ${p.bead}`);
  if (r.was_down) lines.push('The town takes work again: convoys are fed and the sling queue drains.');
  return lines.join('\n');
}

function renderDown(r: DownResult): string {
  const lines = r.stopped.map(
    (a) =>
      `Stopped ${a.address}${a.hook ? `; its hook keeps ${a.hook}${a.snapshot ? ` (worktree saved as ${a.snapshot})` : ''}` : ''}`,
  );
  if (lines.length === 0) lines.push('No agent was running.');
  if (r.daemon)
    lines.push(r.daemon.stopped ? `Stopped the daemon (pid ${r.daemon.pid})` : 'The daemon was not running');
  else
    lines.push('The daemon keeps running (it lands merges; it feeds no work until gt up). gt down --all stops it too.');
  if (r.dashboard) lines.push(`Stopped the dashboard (pid ${r.dashboard.pid}, port ${r.dashboard.port})`);
  lines.push('Start it all again with: gt up');
  return lines.join('\n');
}
