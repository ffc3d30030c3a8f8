// gt polecat list|status|remove|gc: the worker agents of each rig, their worktrees and hooks.
import type { Command } from 'commander';
import { findPolecat, gcPolecats, listPolecatStatus, polecatStatus, removePolecat, type PolecatStatus } from '../../../work/polecats/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerPolecat(program: Command, ctx: GtCtx): void {
  const polecat = program.command('polecat').description('polecats: worker agents, each in its own worktree and branch');

  polecat
    .command('list')
    .description('list polecats with their state, bead and branch')
    .option('--rig <rig>', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt polecat list --rig myproject --json')
    .action(async (o: { rig?: string }) => {
      const list = await listPolecatStatus(ctx.town(), o.rig);
      emit(ctx.io, ctx.json(), { data: list, text: list.length ? list.map(row).join('\n') : 'No polecats yet. Sling work to a rig: gt sling <bead> <rig>' });
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
    .command('remove')
    .description('delete a polecat and its worktree (refused while it has a hook, a session or unlanded work)')
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .addHelpText('after', '\nExample:\n  gt polecat remove myproject/furiosa')
    .action(async (ref: string) => {
      const r = await removePolecat(ctx.town(), findPolecat(ctx.town(), ref));
      emit(ctx.io, ctx.json(), { data: r, text: `Removed polecat ${r.rig}/${r.name} (${r.worktree})` });
    });

  polecat
    .command('gc')
    .description('remove idle polecats whose worktrees hold nothing unlanded; never one holding work')
    .option('--rig <rig>', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt polecat gc --rig myproject')
    .action(async (o: { rig?: string }) => {
      const r = await gcPolecats(ctx.town(), o.rig);
      const text = [
        r.removed.length ? `Removed ${r.removed.length} idle polecat${r.removed.length === 1 ? '' : 's'}: ${r.removed.join(', ')}` : 'No idle polecat to remove.',
        ...r.kept.map((k) => `Kept ${k.address}: ${k.reason}`),
      ].join('\n');
      emit(ctx.io, ctx.json(), { data: r, text });
    });
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
