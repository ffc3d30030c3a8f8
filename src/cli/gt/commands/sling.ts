// gt sling: hook beads (or a formula, poured) to polecats of a rig and start their agents.
import type { Command } from 'commander';
import { ensureDaemon, townApiRunning } from '../../../daemon/index.ts';
import type { TownContext } from '../../../town/index.ts';
import { parseVarArgs } from '../../../beads/index.ts';
import { GtError, safeText, usageError } from '../../../kernel/index.ts';
import { findHost, LOCAL, loadHosts } from '../../../providers/index.ts';
import { MERGE_STRATEGIES } from '../../../town/index.ts';
import { currentAddress } from '../../../work/index.ts';
import { sling, type MergeMode, type SlingOutcome, type SlingResult } from '../../../work/sling/index.ts';
import { collect, emit, ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { daemonWarning } from './session-support.ts';

interface Opts {
  agent?: string;
  message?: string;
  merge?: string;
  convoy: boolean;
  dryRun?: boolean;
  force?: boolean;
  base?: string;
  var: string[];
  host?: string;
}

export function registerSling(program: Command, ctx: GtCtx): void {
  program
    .command('sling')
    .description(
      'hook beads to polecats of a rig and start them (several beads: one polecat each; work no convoy tracks gets one)',
    )
    .argument('<work...>', 'bead ids, or one formula name, then the target: <rig> or <rig>/<polecat>')
    .option('--agent <name>', "agent to run (default: the rig's polecat agent)")
    .option('-m, --message <text>', "a note added to the agent's first prompt")
    .option('--merge <mode>', `how the work lands: ${MERGE_STRATEGIES.join(', ')}`)
    .option(
      '--no-convoy',
      'make no convoy for work no open convoy tracks (default: a batch gets one, a lone bead "Work: <title>")',
    )
    .option('--dry-run', 'say what would happen and change nothing')
    .option('--force', 'move work hooked elsewhere (its worker is stopped first)')
    .option('--base <ref>', 'branch or commit new polecat branches start from')
    .option('--var <key=value>', 'formula variable (repeatable)', collect, [])
    .option(
      '--host <name>',
      'run the polecat on this SSH host (gt host list), or "local" for this machine (default: the town places it)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  gt sling app-x1f app\n  gt sling app-x1f app --host build1\n  gt sling app-x1f app-k2q app --agent sim\n  gt sling release app --var version=1.2.0\n  gt sling app-x1f app --dry-run --json',
    )
    .action(async (work: string[], o: Opts) => {
      if (work.length < 2)
        throw usageError(
          'GT_NO_TARGET',
          'gt sling needs the work and a target',
          'give bead ids (or a formula) and then the rig: gt sling <bead>… <rig>',
        );
      if (o.merge !== undefined && !(MERGE_STRATEGIES as readonly string[]).includes(o.merge)) {
        throw usageError(
          'GT_BAD_MERGE',
          `--merge "${o.merge}" is not a merge mode`,
          `modes: ${MERGE_STRATEGIES.join(', ')}`,
        );
      }
      const town = ctx.town();
      const actor = currentAddress(town).text;
      // An agent on a host reaches the town through the town API, which the daemon keeps up while hosts exist.
      // Without --host, a town with hosts places each polecat itself (it may choose a host).
      if (o.host !== undefined && o.host !== LOCAL) findHost(town.paths.settingsDir, o.host);
      const mayUseHost = o.host !== undefined ? o.host !== LOCAL : loadHosts(town.paths.settingsDir).length > 0;
      if (mayUseHost && !o.dryRun) await ensureTownApi(town);
      const r = await sling(town, {
        beads: work.slice(0, -1),
        target: work.at(-1)!,
        actor,
        noConvoy: !o.convoy,
        dryRun: o.dryRun ?? false,
        force: o.force ?? false,
        vars: parseVarArgs(o.var),
        ...(o.agent !== undefined ? { agent: o.agent } : {}),
        ...(o.message !== undefined ? { message: o.message } : {}),
        ...(o.merge !== undefined ? { merge: o.merge as MergeMode } : {}),
        ...(o.base !== undefined ? { base: o.base } : {}),
        ...(o.host !== undefined ? { host: o.host } : {}),
      });
      // The daemon lands what the polecats finish, restarts agents and drains queued slings: make sure one runs.
      const daemon =
        !o.dryRun && r.results.some((x) => x.status !== 'refused' && x.status !== 'already')
          ? await ensureDaemon(town)
          : undefined;
      emit(ctx.io, ctx.json(), { data: daemon ? { ...r, daemon } : r, text: render(r) });
      if (daemon?.status === 'failed' && !ctx.json()) ctx.io.err(safeText(`${daemonWarning(daemon.error)}\n`));
      const failed = r.results.filter((x) => x.status === 'refused' || x.status === 'hooked');
      if (failed.length > 0 && !ctx.json())
        ctx.io.err(
          safeText(failed.map((x) => `Error: ${x.reason}${x.hint ? `\nHint: ${x.hint}` : ''}`).join('\n') + '\n'),
        );
      if (failed.length > 0) throw new ExitSignal(1);
    });
}

function render(r: SlingResult): string {
  const lines: string[] = [];
  if (r.formula)
    lines.push(
      r.formula.reused
        ? `Slinging ${r.formula.molecule}, already poured from formula ${r.formula.name} with the same variables`
        : `Poured formula ${r.formula.name} as ${r.formula.molecule}`,
    );
  for (const d of r.drained) lines.push(`From the queue: ${line(d)}`);
  for (const o of r.results) if (o.status !== 'refused' && o.status !== 'hooked') lines.push(line(o));
  if (r.convoy)
    lines.push(`Convoy ${r.convoy} tracks ${r.results.length > 1 ? 'the batch' : 'it'} (gt convoy show ${r.convoy})`);
  return lines.join('\n');
}

function line(o: SlingOutcome): string {
  const pre = o.dryRun ? '[dry run] ' : '';
  switch (o.status) {
    case 'started':
      return o.dryRun
        ? `${pre}${o.reason}`
        : `Slung ${o.bead} to ${o.polecat}${o.host ? ` on host ${o.host}` : ''} on ${o.branch}${o.elapsedMs !== undefined ? ` in ${(o.elapsedMs / 1000).toFixed(1)} s` : ''}${o.reason ? ` (${o.reason})` : ''}${o.placement ? `\n  placed on ${o.placement}` : ''}`;
    case 'resumed':
      return `Resumed ${o.bead} on ${o.polecat}: ${o.reason}`;
    case 'hooked':
      return `Hooked ${o.bead} to ${o.polecat}, but its agent did not start: ${o.reason}${o.placement ? `\n  placed on ${o.placement}` : ''}`;
    case 'queued':
      return `${pre}Queued ${o.bead}: ${o.reason}`;
    case 'already':
      return `${pre}${o.reason ?? `${o.bead} is already there`}; nothing to do`;
    default:
      return `${pre}Refused ${o.bead}: ${o.reason}`;
  }
}

/** Start the daemon (it starts gt serve while the town has hosts) and wait for the town API to be up. */
async function ensureTownApi(town: TownContext): Promise<void> {
  if (townApiRunning(town)) return;
  const d = await ensureDaemon(town);
  for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    if (townApiRunning(town)) return;
  }
  throw new GtError(
    'GT_NO_TOWN_API',
    `the town API did not come up${d.status === 'failed' ? `: the daemon did not start (${d.error})` : d.status === 'disabled' ? ' (GT_DAEMON=off)' : ''}`,
    {
      hint: 'run gt serve (or gt daemon start), then sling again; gt daemon logs and .runtime/town-api.log say why',
    },
  );
}
