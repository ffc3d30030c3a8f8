// gt rig add|list|show|remove|park|unpark|dock|undock: the projects of a town.
import type { Command } from 'commander';
import {
  addRig,
  allRigs,
  describeRig,
  removeRig,
  summarizeRig,
  type AddRigResult,
  type RemoveRigResult,
  type RigDetails,
  type RigSummary,
} from '../../../town/index.ts';
import { GtError, isGtError } from '../../../kernel/index.ts';
import { confirmName } from './confirm.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { currentAddress } from '../../../work/index.ts';
import { stopAgents, type StopAgentsResult } from '../../../work/lifecycle/index.ts';
import { rigState, setRigState } from '../../../work/rig-state/index.ts';
import { ExitSignal } from '../../shared/runtime.ts';

export function registerRig(program: Command, ctx: GtCtx): void {
  const rig = program.command('rig').description('projects (rigs): each wraps one git repository');

  rig
    .command('add')
    .description("add a rig: bare clone, refinery worktree on the default branch, rig.json, and the repo's beads")
    .argument('<name>', 'rig name (letters, digits, "-", "_")')
    .argument('<source>', 'git URL, file:// URL or local path of the repository')
    .option('--prefix <prefix>', "bead id prefix for the rig (default: the repo's beads prefix, else from the name)")
    .option('--branch <branch>', "default branch (default: the repository's HEAD)")
    .addHelpText(
      'after',
      '\nExamples:\n  gt rig add myproject https://github.com/you/repo.git\n  gt rig add tools ../tools --prefix tl --branch trunk',
    )
    .action((name: string, source: string, o: { prefix?: string; branch?: string }) => {
      const r = addRig(ctx.town(), { name, source, cwd: ctx.io.cwd, ...o });
      emit(ctx.io, ctx.json(), { data: r, text: renderAdded(r) });
    });

  rig
    .command('list')
    .description('list the rigs of the town')
    .addHelpText('after', '\nExample:\n  gt rig list --json')
    .action(() => {
      const town = ctx.town();
      const rigs = allRigs(town).map((r) => summarizeRig(town, r));
      emit(ctx.io, ctx.json(), { data: rigs, text: renderList(rigs) });
    });

  rig
    .command('show')
    .description('show a rig: its settings, parts, polecats, crew and agents')
    .argument('<name>', 'rig name')
    .addHelpText('after', '\nExample:\n  gt rig show myproject')
    .action((name: string) => {
      const d = describeRig(ctx.town(), name);
      emit(ctx.io, ctx.json(), { data: d, text: renderShow(d) });
    });

  rig
    .command('remove')
    .description("delete a rig's directory (refused while any of its work exists nowhere else)")
    .argument('<name>', 'rig name')
    .option('--force', 'remove it even so, after saving its work to bundle files (asks for the rig name to be typed)')
    .option('--yes <name>', 'with --force: the rig name, instead of typing it')
    .addHelpText(
      'after',
      "\nRefused while landed work is not in the repository the rig came from, or a branch, polecat or crew clone\nholds work found nowhere else; the refusal names the commits and where they live. The rig's beads stay in\nthe town store.\n\nExamples:\n  gt rig remove myproject\n  gt rig remove myproject --force --yes myproject",
    )
    .action((name: string, o: { force?: boolean; yes?: string }) => {
      const town = ctx.town();
      let r: RemoveRigResult;
      try {
        r = removeRig(town, name, { force: false });
      } catch (e) {
        if (!o.force || !isGtError(e) || e.code !== 'GT_RIG_HOLDS_WORK') throw e;
        if (o.yes === undefined) ctx.io.err(`${e.message}\n`);
        const typed = confirmName(
          ctx,
          o.yes,
          `Its work is saved to a bundle file first. Type the rig name (${name}) to remove it: `,
        );
        r = removeRig(town, name, { force: true, confirm: typed });
      }
      const saved = r.saved
        .map((f) => `\nIts work was saved first to ${f} (read it back with: git clone "${f}")`)
        .join('');
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Removed rig "${r.name}" (${r.path}); its beads (prefix ${r.prefix}) remain in the town store${saved}`,
      });
    });
  registerModes(rig, ctx);
}

/** park|unpark|dock|undock: the rig's mode, and for dock the agents it stopped. */
function registerModes(rig: Command, ctx: GtCtx): void {
  rig
    .command('park')
    .description(
      'give the rig no new work (sling refuses it, convoys and the sling queue skip it); running work finishes',
    )
    .argument('<name>', 'rig name')
    .addHelpText('after', '\nExample:\n  gt rig park myproject')
    .action((name: string) => {
      const town = ctx.town();
      const was = setRigState(town, name, 'parked', currentAddress(town).text);
      const now = rigState(town, name)!;
      emit(ctx.io, ctx.json(), {
        data: { rig: name, ...now, was: was?.mode ?? null },
        text:
          was?.mode === 'parked'
            ? `Rig ${name} was already parked (since ${now.since})`
            : `Parked rig ${name}: no new work goes to it; its running work finishes. gt rig unpark ${name} takes it back into service`,
      });
    });

  rig
    .command('unpark')
    .description('take a parked rig back into service: slings, convoys and the sling queue reach it again')
    .argument('<name>', 'rig name')
    .addHelpText('after', '\nExample:\n  gt rig unpark myproject')
    .action((name: string) => {
      const town = ctx.town();
      const now = rigState(town, name);
      if (now?.mode === 'docked')
        throw new GtError('GT_RIG_DOCKED', `rig ${name} is docked, not parked`, {
          kind: 'usage',
          hint: `gt rig undock ${name} takes it back into service`,
        });
      setRigState(town, name, undefined, currentAddress(town).text);
      emit(ctx.io, ctx.json(), {
        data: { rig: name, was: now?.mode ?? null },
        text: now ? `Unparked rig ${name}: it takes new work again` : `Rig ${name} was not parked; nothing to do`,
      });
    });

  rig
    .command('dock')
    .description("stop all of the rig's agents and give it no new work; worktrees, hooks, branches and beads stay")
    .argument('<name>', 'rig name')
    .addHelpText(
      'after',
      '\nPolecats keep their hooks (worktrees snapshotted first) and stay down until gt rig undock and gt up.\n\nExample:\n  gt rig dock myproject',
    )
    .action(async (name: string) => {
      const town = ctx.town();
      const actor = currentAddress(town).text;
      const was = setRigState(town, name, 'docked', actor);
      const r: StopAgentsResult = await stopAgents(town, { rig: name, actor });
      const lines = [
        `Docked rig ${name}${was?.mode === 'docked' ? ' (it was already docked)' : ''}: no new work goes to it`,
        ...r.stopped.map((a) => `  stopped ${a.address}${a.hook ? ` (its hook keeps ${a.hook})` : ''}`),
      ];
      lines.push(`gt rig undock ${name} takes it back into service`);
      emit(ctx.io, ctx.json(), { data: { rig: name, ...rigState(town, name)!, ...r }, text: lines.join('\n') });
      if (r.failed.length) {
        if (!ctx.json())
          ctx.io.err(
            `${r.failed.map((f) => `Error: ${f.address} did not stop: ${f.error}`).join('\n')}\nHint: gt agents shows what still runs\n`,
          );
        throw new ExitSignal(1);
      }
    });

  rig
    .command('undock')
    .description(
      'take a docked rig back into service; its stopped polecats start again with gt up (or gt polecat start)',
    )
    .argument('<name>', 'rig name')
    .addHelpText('after', '\nExample:\n  gt rig undock myproject && gt up')
    .action((name: string) => {
      const town = ctx.town();
      const now = rigState(town, name);
      if (now?.mode === 'parked')
        throw new GtError('GT_RIG_PARKED', `rig ${name} is parked, not docked`, {
          kind: 'usage',
          hint: `gt rig unpark ${name} takes it back into service`,
        });
      setRigState(town, name, undefined, currentAddress(town).text);
      emit(ctx.io, ctx.json(), {
        data: { rig: name, was: now?.mode ?? null },
        text: now
          ? `Undocked rig ${name}: it takes new work again; gt up starts its stopped polecats`
          : `Rig ${name} was not docked; nothing to do`,
      });
    });
}

function renderAdded(r: AddRigResult): string {
  const lines = [
    `Added rig "${r.rig.name}" at ${r.path}`,
    `  source:         ${r.rig.git_url}`,
    `  default branch: ${r.rig.default_branch}${r.initial_commit ? ' (the repository was empty: created an initial commit in the rig)' : ''}`,
    `  prefix:         ${r.rig.prefix}`,
  ];
  const b = r.beads;
  if (b) {
    lines.push(`  beads:          imported ${b.imported} of ${b.found} from .beads/issues.jsonl`);
    for (const [p, n] of Object.entries(b.other_prefixes))
      lines.push(`  note: ${n} bead(s) have prefix "${p}", not "${r.rig.prefix}"; imported under their own ids`);
    if (b.kept_existing.length)
      lines.push(
        `  note: ${b.kept_existing.length} bead(s) were already in the town store and kept as they were (${b.kept_existing.slice(0, 5).join(', ')})`,
      );
    for (const p of b.problems.slice(0, 5))
      lines.push(`  warning: .beads/issues.jsonl:${p.line}: ${p.message} (skipped)`);
  }
  return lines.join('\n');
}

function renderList(rigs: readonly RigSummary[]): string {
  if (rigs.length === 0) return 'No rigs yet. Add one with: gt rig add <name> <git-url|path>';
  return rigs
    .map(
      (r) =>
        `${r.name}  prefix ${r.prefix}  branch ${r.default_branch}  polecats ${r.polecats.length}  crew ${r.crew.length}  ${r.git_url}`,
    )
    .join('\n');
}

function renderShow(d: RigDetails): string {
  const g = d.config.gates;
  const gates = (['setup', 'build', 'test'] as const)
    .map((k) => `${k}: ${g[k] ? `${g[k].command} (${g[k].timeout_seconds}s)` : '-'}`)
    .join(', ');
  return [
    `Rig ${d.name}`,
    `  source:         ${d.git_url}`,
    `  default branch: ${d.default_branch}`,
    `  prefix:         ${d.prefix}`,
    `  merge strategy: ${d.merge_strategy}`,
    `  gates:          ${gates}`,
    `  agents:         ${Object.entries(d.agents)
      .map(([r, a]) => `${r} ${a}`)
      .join(', ')}`,
    `  path:           ${d.path}`,
    `  refinery:       ${d.refinery}${d.refinery_head ? ` at ${d.refinery_head}` : ''}`,
    `  polecats:       ${d.polecats.length ? d.polecats.map((p) => `${p} (${d.polecat_branches[p] ?? 'detached'})`).join(', ') : '-'}`,
    `  crew:           ${d.crew.length ? d.crew.join(', ') : '-'}`,
  ].join('\n');
}
