// gt workspace clone|push|snapshot: a polecat's workspace away from the town (docs/town-api.md). Runs where the agent
// runs, as a client of the town (GT_TOWN_URL and a token); in the town itself the polecat's worktree is the workspace.
import type { Command } from 'commander';
import { usageError } from '../../../kernel/index.ts';
import {
  cloneWorkspace,
  myHook,
  pushWorkspace,
  snapshotWorkspace,
  townClient,
  type TownClient,
} from '../../../client/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerWorkspace(program: Command, ctx: GtCtx): void {
  const ws = program
    .command('workspace')
    .description("a polecat's workspace on another machine: clone it from the town, push to it at every commit");
  const client = (): TownClient => {
    if (!ctx.io.env.GT_TOWN_URL)
      throw usageError(
        'GT_NOT_REMOTE',
        'gt workspace is for a workspace away from the town, and GT_TOWN_URL is not set',
        'set GT_TOWN_URL and GT_TOWN_TOKEN_FILE (gt serve and gt token issue in the town)',
      );
    return townClient(ctx.io.env);
  };

  ws.command('clone')
    .description('clone your rig from the town on your polecat branch; every commit there is pushed to the town')
    .argument('<dir>', 'a new directory')
    .addHelpText('after', '\nExample:\n  gt workspace clone ~/work/nux')
    .action(async (dir: string) => {
      const c = client();
      const r = cloneWorkspace(c, await myHook(c), dir, [process.execPath, process.argv[1] ?? 'gt']);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Cloned ${r.rig} into ${r.dir} on ${r.branch}; each commit is pushed to the town.`,
      });
    });

  ws.command('push')
    .description("push this workspace's HEAD to your polecat branch in the town (the post-commit hook runs it)")
    .option('--quiet', 'print nothing when it worked')
    .addHelpText('after', '\nExample:\n  gt workspace push')
    .action(async (o: { quiet?: boolean }) => {
      const c = client();
      const r = pushWorkspace(c, await myHook(c), ctx.io.cwd);
      if (!o.quiet || ctx.json())
        emit(ctx.io, ctx.json(), { data: r, text: `Pushed ${r.head.slice(0, 12)} to ${r.branch} in the town.` });
    });

  ws.command('snapshot')
    .description(
      "save this workspace's whole state (uncommitted and untracked files too) to the town as a snapshot ref",
    )
    .addHelpText('after', '\nExample:\n  gt workspace snapshot --json')
    .action(async () => {
      const c = client();
      const r = snapshotWorkspace(c, await myHook(c), ctx.io.cwd);
      emit(ctx.io, ctx.json(), { data: r, text: `Saved the workspace to the town as ${r.ref}.` });
    });
}
