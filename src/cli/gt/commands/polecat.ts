// gt polecat list|status|stop|start|nuke|remove|gc: the worker agents of each rig, their worktrees and hooks.
import type { Command } from 'commander';
import {
  findPolecat,
  gcPolecats,
  listPolecatStatus,
  polecatStatus,
  removePolecat,
  type PolecatStatus,
} from '../../../work/polecats/index.ts';
import { isGtError } from '../../../kernel/index.ts';
import { currentAddress } from '../../../work/index.ts';
import { nukePolecat, startPolecat, stopPolecat, type NukeResult } from '../../../work/hook/index.ts';
import { describeStart } from './session-support.ts';
import { emit } from '../../shared/runtime.ts';
import { confirmName } from './confirm.ts';
import type { GtCtx } from '../context.ts';

export function registerPolecat(program: Command, ctx: GtCtx): void {
  const polecat = program
    .command('polecat')
    .description('polecats: worker agents, each in its own worktree and branch');

  polecat
    .command('list')
    .description('list polecats with their state, bead and branch')
    .option('--rig <rig>', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt polecat list --rig myproject --json')
    .action(async (o: { rig?: string }) => {
      const list = await listPolecatStatus(ctx.town(), o.rig);
      emit(ctx.io, ctx.json(), {
        data: list,
        text: list.length ? list.map(row).join('\n') : 'No polecats yet. Sling work to a rig: gt sling <bead> <rig>',
      });
    });

  polecat
    .command('status')
    .description('one polecat in full: state, hook, branch, worktree, session and what its worktree holds')
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .addHelpText('after', '\nExample:\n  gt polecat status myproject/furiosa')
    .action(async (ref: string) => {
      const st = await polecatStatus(ctx.town(), findPolecat(ctx.town(), ref));
      emit(ctx.io, ctx.json(), { data: st, text: details(st) });
    });

  polecat
    .command('stop')
    .description(
      "stop a polecat's session; its hook and worktree stay (snapshotted first) and the daemon leaves it down",
    )
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .addHelpText(
      'after',
      '\nStarted again by gt polecat start, gt hook resume or gt up.\n\nExample:\n  gt polecat stop myproject/furiosa',
    )
    .action(async (ref: string) => {
      const town = ctx.town();
      const r = await stopPolecat(town, findPolecat(town, ref), currentAddress(town).text);
      const kept = r.hook
        ? `; its hook keeps ${r.hook}${r.snapshot ? ` (worktree saved as ${r.snapshot})` : ''}: gt polecat start ${r.address} carries on`
        : '';
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `${r.stopped ? `Stopped ${r.address}` : `${r.address} was not running`}${kept}`,
      });
    });

  polecat
    .command('start')
    .description("start a polecat's session: on its hook (resuming its conversation), or idle when the hook is empty")
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .option('--agent <name>', "agent to run (default: the hook's pin, else the rig's polecat agent)")
    .addHelpText('after', '\nExamples:\n  gt polecat start myproject/furiosa\n  gt polecat start furiosa --agent codex')
    .action(async (ref: string, o: { agent?: string }) => {
      const town = ctx.town();
      const r = await startPolecat(town, findPolecat(town, ref), {
        ...(o.agent !== undefined ? { agent: o.agent } : {}),
        actor: currentAddress(town).text,
      });
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `${describeStart(r)}${r.hook ? `, on ${r.hook}` : ', nothing on its hook'}`,
      });
    });

  polecat
    .command('nuke')
    .description('remove a polecat altogether (session, worktree, branch), only when no work would be lost')
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .option(
      '--force',
      'nuke it even though it holds work, after saving that work (snapshot ref and bundle file) and giving its bead back (asks for the name)',
    )
    .option('--yes <name>', "with --force: the polecat's name, instead of typing it")
    .addHelpText(
      'after',
      '\nRefused while its hook holds a bead or its worktree holds uncommitted or unlanded work.\n\nExamples:\n  gt polecat nuke myproject/furiosa\n  gt polecat nuke myproject/furiosa --force --yes furiosa',
    )
    .action(async (ref: string, o: { force?: boolean; yes?: string }) => {
      const town = ctx.town();
      const p = findPolecat(town, ref);
      const actor = currentAddress(town).text;
      let r: NukeResult;
      try {
        r = await nukePolecat(town, p, { actor });
      } catch (e) {
        if (!o.force || !isGtError(e) || e.code !== 'GT_POLECAT_HOLDS_WORK') throw e;
        if (o.yes === undefined) ctx.io.err(`${e.message}\n`);
        const typed = confirmName(
          ctx,
          o.yes,
          `Its work is saved first (snapshot and bundle). Type the polecat's name (${p.name}) to nuke it: `,
        );
        r = await nukePolecat(town, p, { force: true, confirm: typed, actor });
      }
      emit(ctx.io, ctx.json(), { data: r, text: nuked(r) });
    });

  polecat
    .command('remove')
    .description('delete a polecat and its worktree (refused while it has a hook, a session or unlanded work)')
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .option(
      '--force',
      'remove it even though its worktree holds unlanded work, after saving that to a bundle file (asks for the name)',
    )
    .option('--yes <name>', "with --force: the polecat's name, instead of typing it")
    .addHelpText(
      'after',
      '\nExamples:\n  gt polecat remove myproject/furiosa\n  gt polecat remove myproject/furiosa --force --yes furiosa',
    )
    .action(async (ref: string, o: { force?: boolean; yes?: string }) => {
      const town = ctx.town();
      const p = findPolecat(town, ref);
      let r: Awaited<ReturnType<typeof removePolecat>>;
      try {
        r = await removePolecat(town, p);
      } catch (e) {
        if (!o.force || !isGtError(e) || e.code !== 'GT_POLECAT_HOLDS_WORK') throw e;
        if (o.yes === undefined) ctx.io.err(`${e.message}\n`);
        const typed = confirmName(
          ctx,
          o.yes,
          `Its work is saved to a bundle file first. Type the polecat's name (${p.name}) to remove it: `,
        );
        r = await removePolecat(town, p, { force: true, confirm: typed });
      }
      const saved = r.saved
        ? `\nIts work was saved first to ${r.saved} (read it back with: git clone "${r.saved}")`
        : '';
      emit(ctx.io, ctx.json(), { data: r, text: `Removed polecat ${r.rig}/${r.name} (${r.worktree})${saved}` });
    });

  polecat
    .command('gc')
    .description('remove idle polecats whose worktrees hold nothing unlanded; never one holding work')
    .option('--rig <rig>', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt polecat gc --rig myproject')
    .action(async (o: { rig?: string }) => {
      const r = await gcPolecats(ctx.town(), o.rig);
      const text = [
        r.removed.length
          ? `Removed ${r.removed.length} idle polecat${r.removed.length === 1 ? '' : 's'}: ${r.removed.join(', ')}`
          : 'No idle polecat to remove.',
        ...r.kept.map((k) => `Kept ${k.address}: ${k.reason}`),
      ].join('\n');
      emit(ctx.io, ctx.json(), { data: r, text });
    });
}

function nuked(r: NukeResult): string {
  return [
    `Nuked polecat ${r.address} (${r.worktree})${r.session_stopped ? ', its session stopped' : ''}`,
    ...(r.released ? [`Gave ${r.released} back (open, unassigned): sling it again when you want it worked`] : []),
    ...(r.snapshot
      ? [`Its worktree was saved first as ${r.snapshot} in ${r.repo} (git -C "${r.repo}" show --stat ${r.snapshot})`]
      : []),
    ...(r.saved ? [`Its work was saved first to ${r.saved} (read it back with: git clone "${r.saved}")`] : []),
  ].join('\n');
}

function row(p: PolecatStatus): string {
  return `${p.address}  ${p.state}${p.bead ? `  ${p.bead}` : ''}  ${p.branch ?? '-'}${p.running ? '  running' : ''}${p.holds ? `  holds ${p.holds}` : ''}`;
}

function details(p: PolecatStatus): string {
  return [
    `${p.address}: ${p.state}${p.running ? `, session ${p.session} running` : ', no session'}`,
    `  hook:     ${p.bead ?? '(empty)'}${p.hook_state ? ` (${p.hook_state})` : ''}`,
    `  branch:   ${p.branch ?? '-'} from ${p.base?.slice(0, 10) ?? '-'}`,
    `  worktree: ${p.worktree}${p.worktree_exists ? '' : ' (missing: gt hooks repair)'}`,
    `  agent:    ${p.agent ?? '-'}, restarts ${p.restarts}`,
    `  snapshot: ${p.last_snapshot ?? '-'}`,
    ...(p.holds ? [`  holds:    ${p.holds}`] : []),
  ].join('\n');
}
