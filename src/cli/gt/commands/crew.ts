// gt crew add|list|remove: full clones of a rig for people.
import type { Command } from 'commander';
import { addCrew, listCrew, removeCrew, type CrewMember } from '../../../town/index.ts';
import { isGtError } from '../../../kernel/index.ts';
import { emit } from '../../shared/runtime.ts';
import { confirmName } from './confirm.ts';
import { describeStart, ensureStarted, identityFor, startAndAttach } from './session-support.ts';
import type { GtCtx } from '../context.ts';

export function registerCrew(program: Command, ctx: GtCtx): void {
  const crew = program.command('crew').description('crew: full clones of a rig for people (and their own agents)');

  crew
    .command('add')
    .description('clone the rig at <rig>/crew/<name> with the crew member\'s git identity')
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
    .addHelpText('after', '\nExamples:\n  gt crew at alice --rig myproject\n  gt crew at alice --rig myproject --agent codex --no-attach')
    .action(async (name: string, o: { rig: string; agent?: string; attach: boolean }) => {
      const id = identityFor(ctx, `${o.rig}/crew/${name}`);
      if (o.attach) return startAndAttach(ctx, id, o.agent);
      const r = await ensureStarted(ctx, id, o.agent);
      emit(ctx.io, ctx.json(), { data: r, text: describeStart(r) });
    });

  crew
    .command('remove')
    .description('delete a crew clone (refused while it holds uncommitted, unpushed or stashed work)')
    .argument('<name>', 'crew member name')
    .requiredOption('--rig <rig>', 'the rig')
    .option('--force', 'remove it even so, after saving its work to a bundle file (asks for the name to be typed)')
    .option('--yes <name>', 'with --force: the crew member\'s name, instead of typing it')
    .addHelpText('after', '\nExamples:\n  gt crew remove alice --rig myproject\n  gt crew remove alice --rig myproject --force --yes alice')
    .action((name: string, o: { rig: string; force?: boolean; yes?: string }) => {
      const town = ctx.town();
      let m: ReturnType<typeof removeCrew>;
      try {
        m = removeCrew(town, o.rig, name);
      } catch (e) {
        if (!o.force || !isGtError(e) || e.code !== 'GT_CREW_HOLDS_WORK') throw e;
        if (o.yes === undefined) ctx.io.err(`${e.message}\n`);
        const typed = confirmName(ctx, o.yes, `Its work is saved to a bundle file first. Type the crew member's name (${name}) to remove the clone: `);
        m = removeCrew(town, o.rig, name, { force: true, confirm: typed });
      }
      const saved = m.saved ? `\nIts work was saved first to ${m.saved} (read it back with: git clone "${m.saved}")` : '';
      emit(ctx.io, ctx.json(), { data: m, text: `Removed crew member "${m.name}" of rig "${m.rig}" (${m.path})${saved}` });
    });
}

function renderList(list: readonly CrewMember[]): string {
  if (list.length === 0) return 'No crew yet. Add someone with: gt crew add <name> --rig <rig>';
  return list
    .map((m) => `${m.rig}/crew/${m.name}  ${m.branch ?? '(detached)'}${m.uncommitted ? `  ${m.uncommitted} uncommitted` : ''}  ${m.path}`)
    .join('\n');
}
