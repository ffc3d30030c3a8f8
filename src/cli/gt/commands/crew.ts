// gt crew add|list|at|start|stop|restart|refresh|remove: full clones of a rig for people, and their agents' sessions.
import type { Command } from 'commander';
import { addCrew, listCrew, removeCrew, type CrewMember } from '../../../town/index.ts';
import { GtError, isGtError, usageError } from '../../../kernel/index.ts';
import { emit, ExitSignal } from '../../shared/runtime.ts';
import { refreshCrew, type CrewRefresh } from '../../../work/lifecycle/index.ts';
import { getAgent, startAgent, stopAgent, withStore } from '../../../work/sessions/index.ts';
import { confirmName } from './confirm.ts';
import { chooseAgent, describeStart, ensureStarted, identityFor, startAndAttach } from './session-support.ts';
import type { GtCtx } from '../context.ts';

export function registerCrew(program: Command, ctx: GtCtx): void {
  const crew = program.command('crew').description('crew: full clones of a rig for people (and their own agents)');

  crew
    .command('add')
    .description("clone the rig at <rig>/crew/<name> with the crew member's git identity")
    .argument('<name>', 'crew member name (letters, digits, "-", "_")')
    .requiredOption('--rig <rig>', 'the rig to clone')
    .addHelpText('after', '\nExample:\n  gt crew add alice --rig myproject')
    .action((name: string, o: { rig: string }) => {
      const m = addCrew(ctx.town(), o.rig, name);
      emit(ctx.io, ctx.json(), {
        data: m,
        text: `Added crew member "${m.name}" to rig "${m.rig}" at ${m.path}\n  branch ${m.branch}, commits as ${m.git_name} <${m.git_email}>\n  remotes: origin (the project), rig (the rig's shared repository)`,
      });
    });

  crew
    .command('list')
    .description('list crew members, of one rig or of all')
    .option('--rig <rig>', 'only this rig')
    .addHelpText('after', '\nExample:\n  gt crew list --rig myproject --json')
    .action((o: { rig?: string }) => {
      const list = listCrew(ctx.town(), o.rig);
      emit(ctx.io, ctx.json(), { data: list, text: renderList(list) });
    });

  crew
    .command('at')
    .description("attach to a crew member's agent session in their clone, starting it first if needed")
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .option('--agent <name>', 'agent to run if the session has to be started')
    .option('--no-attach', 'start the session but do not attach this terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  gt crew at alice --rig myproject\n  gt crew at alice --rig myproject --agent codex --no-attach',
    )
    .action(async (name: string, o: { rig: string; agent?: string; attach: boolean }) => {
      const id = identityFor(ctx, `${o.rig}/crew/${name}`);
      if (o.attach) return startAndAttach(ctx, id, o.agent);
      const r = await ensureStarted(ctx, id, o.agent);
      emit(ctx.io, ctx.json(), { data: r, text: describeStart(r) });
    });

  crew
    .command('start')
    .description("start a crew member's agent session in their clone (does nothing if it runs)")
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .option('--agent <name>', "agent to run (default: the rig's crew agent)")
    .addHelpText(
      'after',
      '\nExamples:\n  gt crew start alice --rig myproject\n  gt crew start alice --rig myproject --agent codex',
    )
    .action(async (name: string, o: { rig: string; agent?: string }) => {
      const r = await ensureStarted(ctx, crewId(ctx, o.rig, name), o.agent);
      emit(ctx.io, ctx.json(), { data: r, text: describeStart(r) });
    });

  crew
    .command('stop')
    .description("stop a crew member's agent session; the clone and its work are not touched")
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .addHelpText('after', '\nExample:\n  gt crew stop alice --rig myproject')
    .action(async (name: string, o: { rig: string }) => {
      const id = crewId(ctx, o.rig, name);
      const r = await stopAgent(ctx.town(), id);
      emit(ctx.io, ctx.json(), { data: r, text: r.stopped ? `Stopped ${r.address}` : `${r.address} was not running` });
    });

  crew
    .command('restart')
    .description("stop and start a crew member's agent, resuming its conversation when the runtime can")
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .option('--agent <name>', 'agent to run from now on')
    .option('--fresh', 'start a new conversation instead of resuming')
    .addHelpText(
      'after',
      '\nExamples:\n  gt crew restart alice --rig myproject\n  gt crew restart alice --rig myproject --fresh',
    )
    .action(async (name: string, o: { rig: string; agent?: string; fresh?: boolean }) => {
      const id = crewId(ctx, o.rig, name);
      const town = ctx.town();
      const previous = withStore(town, (s) => getAgent(s, id.address));
      const agent = chooseAgent(ctx, id, o.agent ?? previous?.runtime);
      await stopAgent(town, id);
      const r = await startAgent(town, { identity: id, agent, resume: !o.fresh && agent === previous?.runtime });
      emit(ctx.io, ctx.json(), { data: r, text: describeStart(r) });
    });

  crew
    .command('refresh')
    .description(
      "bring the rig's new default branch into a crew clone (fast-forward only; uncommitted work is never touched)",
    )
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .addHelpText(
      'after',
      '\nWhen the clone has its own commits, or is on another branch, it is fetched only and says what to do.\n\nExample:\n  gt crew refresh alice --rig myproject',
    )
    .action((name: string, o: { rig: string }) => {
      const r = refreshCrew(ctx.town(), o.rig, name);
      emit(ctx.io, ctx.json(), { data: r, text: refreshed(r) });
      if (r.status === 'diverged' || r.status === 'blocked') {
        if (!ctx.json()) {
          const why =
            r.status === 'blocked'
              ? `git refused to fast-forward ${r.path}: ${r.detail}`
              : `${r.path} has ${r.ahead} commit${r.ahead === 1 ? '' : 's'} of its own beside ${r.behind} new on ${r.upstream}`;
          const hint =
            r.status === 'blocked'
              ? 'commit or stash the changes git names, then run gt crew refresh again'
              : `bring them together yourself: git -C "${r.path}" rebase ${r.upstream}`;
          ctx.io.err(`Error: ${why}\nHint: ${hint}\n`);
        }
        throw new ExitSignal(1);
      }
    });

  crew
    .command('remove')
    .description('delete a crew clone (refused while it holds uncommitted, unpushed or stashed work)')
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .option('--force', 'remove it even so, after saving its work to a bundle file (asks for the name to be typed)')
    .option('--yes <name>', "with --force: the crew member's name, instead of typing it")
    .addHelpText(
      'after',
      '\nExamples:\n  gt crew remove alice --rig myproject\n  gt crew remove alice --rig myproject --force --yes alice',
    )
    .action((name: string, o: { rig: string; force?: boolean; yes?: string }) => {
      const town = ctx.town();
      let m: ReturnType<typeof removeCrew>;
      try {
        m = removeCrew(town, o.rig, name);
      } catch (e) {
        if (!o.force || !isGtError(e) || e.code !== 'GT_CREW_HOLDS_WORK') throw e;
        if (o.yes === undefined) ctx.io.err(`${e.message}\n`);
        const typed = confirmName(
          ctx,
          o.yes,
          `Its work is saved to a bundle file first. Type the crew member's name (${name}) to remove the clone: `,
        );
        m = removeCrew(town, o.rig, name, { force: true, confirm: typed });
      }
      const saved = m.saved
        ? `\nIts work was saved first to ${m.saved} (read it back with: git clone "${m.saved}")`
        : '';
      emit(ctx.io, ctx.json(), {
        data: m,
        text: `Removed crew member "${m.name}" of rig "${m.rig}" (${m.path})${saved}`,
      });
    });
}

function crewId(ctx: GtCtx, rig: string, name: string): ReturnType<typeof identityFor> {
  if (name.startsWith('-') || name.includes('/'))
    throw usageError(
      'GT_BAD_CREW_NAME',
      `"${name}" is not a crew member name`,
      `name one of gt crew list --rig ${rig}`,
    );
  const id = identityFor(ctx, `${rig}/crew/${name}`);
  if (!listCrew(ctx.town(), rig).some((m) => m.name === name))
    throw new GtError('GT_CREW_NOT_FOUND', `rig "${rig}" has no crew member "${name}"`, {
      kind: 'usage',
      hint: `gt crew list --rig ${rig} shows its crew; gt crew add ${name} --rig ${rig} adds one`,
    });
  return id;
}

function refreshed(r: CrewRefresh): string {
  const n = (k: number): string => `${k} commit${k === 1 ? '' : 's'}`;
  switch (r.status) {
    case 'up-to-date':
      return `${r.rig}/crew/${r.name} is up to date with ${r.upstream}`;
    case 'fast-forwarded':
      return `Brought ${n(r.behind)} of ${r.upstream} into ${r.path} (fast-forward; uncommitted work untouched)`;
    case 'fetched':
      return `Fetched ${n(r.behind)} new on ${r.upstream}; ${r.path} is on ${r.branch ?? 'a detached HEAD'}, so nothing was merged (git merge ${r.upstream} when you want them)`;
    default:
      return `Fetched ${n(r.behind)} new on ${r.upstream}; ${r.path} was not changed`;
  }
}

function renderList(list: readonly CrewMember[]): string {
  if (list.length === 0) return 'No crew yet. Add someone with: gt crew add <name> --rig <rig>';
  return list
    .map(
      (m) =>
        `${m.rig}/crew/${m.name}  ${m.branch ?? '(detached)'}${m.uncommitted ? `  ${m.uncommitted} uncommitted` : ''}  ${m.path}`,
    )
    .join('\n');
}
