// gt hook [address], gt hook attach|detach|resume, gt hook snapshot|rollback: what is on an agent's hook, and its worktree's snapshots.
import type { Command } from 'commander';
import { currentAddress } from '../../../work/index.ts';
import {
  attachHook,
  detachHook,
  hookOf,
  listSnapshots,
  restoreSnapshot,
  resumeHook,
  snapshotWorktree,
  type HookView,
} from '../../../work/hook/index.ts';
import { findPolecat } from '../../../work/polecats/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerHook(program: Command, ctx: GtCtx): void {
  const hook = program
    .command('hook')
    .description("what is on your hook (or an agent's): the bead in full and the polecat's branch and worktree")
    .argument('[address]', 'whose hook (default: you, from GT_ADDRESS)')
    .addHelpText('after', '\nExamples:\n  gt hook --json\n  gt hook myproject/furiosa')
    .action((address: string | undefined) => {
      const town = ctx.town();
      const v = hookOf(town, address ?? currentAddress(town).text);
      emit(ctx.io, ctx.json(), { data: v, text: render(v) });
    });

  hook
    .command('show')
    .description('the same as gt hook: what is on a hook')
    .argument('[address]', 'whose hook (default: you)')
    .addHelpText('after', '\nExample:\n  gt hook show myproject/furiosa --json')
    .action((address: string | undefined) => {
      const town = ctx.town();
      const v = hookOf(town, address ?? currentAddress(town).text);
      emit(ctx.io, ctx.json(), { data: v, text: render(v) });
    });

  hook
    .command('attach')
    .description("put a bead on an agent's hook without starting anyone (a polecat is left stopped on its new branch)")
    .argument('<bead>', 'bead id (any unique start)')
    .argument('[target]', 'whose hook (default: you): mayor, <rig>/crew/<name>, or an idle <rig>/<polecat>')
    .addHelpText(
      'after',
      '\nA polecat given work this way starts with gt polecat start (or gt up); gt sling hooks and starts in one go.\n\nExamples:\n  gt hook attach app-x1f myproject/crew/alice\n  gt hook attach app-x1f myproject/furiosa && gt polecat start myproject/furiosa',
    )
    .action(async (bead: string, target: string | undefined) => {
      const town = ctx.town();
      const me = currentAddress(town).text;
      const r = await attachHook(town, bead, target ?? me, me);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Attached ${r.bead} to ${r.address}'s hook${r.branch ? ` on ${r.branch}; start it with gt polecat start ${r.address}` : ''}`,
      });
    });

  hook
    .command('detach')
    .description(
      "take a bead off an agent's hook: it is open and unassigned again (a polecat's session is stopped, its worktree kept)",
    )
    .argument('<bead>', 'bead id (any unique start)')
    .argument('[target]', 'whose hook (default: you)')
    .addHelpText(
      'after',
      '\nExamples:\n  gt hook detach app-x1f myproject/crew/alice\n  gt hook detach app-x1f myproject/furiosa',
    )
    .action(async (bead: string, target: string | undefined) => {
      const town = ctx.town();
      const me = currentAddress(town).text;
      const r = await detachHook(town, bead, target ?? me, me);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Detached ${r.bead} from ${r.address}'s hook: it is open and unassigned${r.session_stopped ? ` (${r.address}'s session stopped; its worktree is kept)` : ''}`,
      });
    });

  hook
    .command('resume')
    .description(
      'put a polecat back to work on its hook: a suspended hook becomes active, a stopped or dead session starts',
    )
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .option('-m, --message <text>', 'what was decided, told to the agent')
    .addHelpText(
      'after',
      '\nIts open escalations stay open; gt escalate ack <id> resumes and records the answer in one go.\n\nExamples:\n  gt hook resume myproject/furiosa\n  gt hook resume furiosa -m "use the v2 API"',
    )
    .action(async (ref: string, o: { message?: string }) => {
      const town = ctx.town();
      const r = await resumeHook(town, findPolecat(town, ref), {
        actor: currentAddress(town).text,
        ...(o.message !== undefined ? { note: o.message } : {}),
      });
      const text =
        r.status === 'already-working'
          ? `${r.address} is already working on ${r.bead}; nothing to do`
          : `Resumed ${r.address} on ${r.bead} (was ${r.was}; ${r.how === 'nudged' ? 'its running agent was told to carry on' : `started in tmux session ${r.session}`})`;
      emit(ctx.io, ctx.json(), { data: r, text });
    });

  hook
    .command('snapshot')
    .description(
      "save a polecat's worktree (uncommitted and untracked files too) to a hidden ref; the worktree is not touched",
    )
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .addHelpText('after', '\nExample:\n  gt hook snapshot myproject/furiosa')
    .action((ref: string) => {
      const p = findPolecat(ctx.town(), ref);
      const r = snapshotWorktree(ctx.town(), p.rig, p.name);
      emit(ctx.io, ctx.json(), {
        data: r,
        text:
          r.status === 'saved'
            ? `Saved ${r.polecat} as ${r.snapshot.ref}`
            : `${r.polecat} is unchanged since ${r.snapshot.ref}`,
      });
    });

  hook
    .command('snapshots')
    .description("list a polecat's snapshots, newest first")
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .addHelpText('after', '\nExample:\n  gt hook snapshots myproject/furiosa --json')
    .action((ref: string) => {
      const p = findPolecat(ctx.town(), ref);
      const list = listSnapshots(ctx.town(), p.rig, p.name);
      emit(ctx.io, ctx.json(), {
        data: list,
        text: list.length
          ? list.map((s) => `${s.ref}  ${s.at}  ${s.commit.slice(0, 10)}`).join('\n')
          : `No snapshots of ${p.rig}/${p.name} yet`,
      });
    });

  hook
    .command('rollback')
    .description("restore a polecat's worktree to a snapshot (the newest, or --to); the current state is saved first")
    .argument('<polecat>', '<rig>/<name>, or a name only one rig has')
    .option('--to <snapshot>', 'snapshot ref, its timestamp, or its commit')
    .addHelpText(
      'after',
      '\nExamples:\n  gt hook rollback myproject/furiosa\n  gt hook rollback furiosa --to 1767225600000',
    )
    .action((ref: string, o: { to?: string }) => {
      const p = findPolecat(ctx.town(), ref);
      const r = restoreSnapshot(ctx.town(), p.rig, p.name, o.to);
      emit(ctx.io, ctx.json(), {
        data: r,
        text: `Restored ${r.polecat} to ${r.restored} (the state before is ${r.saved_before})`,
      });
    });
}

function render(v: HookView): string {
  if (!v.bead) return `${v.address}: nothing on the hook`;
  const b = v.bead as { id: string; title: string; status: string; description?: string };
  return [
    `${v.address}: ${b.id} ${b.title} [${b.status}]`,
    ...(v.polecat
      ? [`  branch ${v.polecat.branch ?? '-'} in ${v.polecat.worktree} (hook ${v.polecat.hook_state ?? '-'})`]
      : []),
    ...(v.suspended
      ? [
          `  suspended since ${v.suspended.since} (${JSON.stringify(v.suspended.reason)}): do not work on it until someone acts (the escalation is closed, or the bead is slung again)`,
        ]
      : []),
    ...(b.description ? ['', b.description] : []),
  ].join('\n');
}
