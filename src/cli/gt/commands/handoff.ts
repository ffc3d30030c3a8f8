// gt handoff: end this session on purpose: a note to your next session, optionally a bead on your hook, and a
// fresh restart (a new conversation) whose `gt prime` shows the note.
import { Option, type Command } from 'commander';
import { currentAddress, handoff, restartAfterHandoff, type HandoffResult } from '../../../work/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

interface HandoffOpts {
  message?: string;
  force?: boolean;
  restart: boolean;
  restartOnly?: boolean;
  agent?: string;
}

export function registerHandoff(program: Command, ctx: GtCtx): void {
  program
    .command('handoff')
    .description(
      'hand off to a fresh session of yourself: mail a note to self, optionally hook a bead, restart (at most every 2 minutes)',
    )
    .argument('[bead]', 'a bead to put on your hook for the next session')
    .option('-m, --message <note>', 'the note your next session reads first ("-" reads standard input)')
    .option('--no-restart', 'only leave the note (and the hook); keep this session')
    .option('--force', 'hand off even within 2 minutes of the last handoff')
    .addOption(
      new Option('--restart-only', 'internal: the detached restart of a handoff run inside its session').hideHelp(),
    )
    .addOption(new Option('--agent <name>', 'internal: the agent to restart').hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n  gt handoff -m "Tests written in test/login.test.ts; next: make them pass"\n  gt handoff app-a1b -m "Start on the retry logic"',
    )
    .action(async (bead: string | undefined, o: HandoffOpts) => {
      const town = ctx.town();
      const me = currentAddress(town);
      if (o.restartOnly) {
        const r = await restartAfterHandoff(town, me.text, o.agent ?? '');
        emit(ctx.io, ctx.json(), { data: r, text: `Restarted ${r.address} at ${r.restarted_at}` });
        return;
      }
      const note = o.message === '-' ? ctx.io.stdin() : o.message;
      const r = await handoff(town, me.address, {
        ...(note !== undefined ? { note } : {}),
        ...(bead !== undefined ? { bead } : {}),
        force: Boolean(o.force),
        restart: o.restart,
        ...(process.argv[1] ? { gtCommand: [process.execPath, process.argv[1]] } : {}),
      });
      emit(ctx.io, ctx.json(), { data: r, text: renderHandoff(r) });
    });
}

function renderHandoff(r: HandoffResult): string {
  const how = {
    restarted: `restarted ${r.session} with a fresh ${r.agent} session`,
    scheduled: `restarting ${r.session} now (a fresh ${r.agent} session; log: ${r.log ?? ''})`,
    'not-running': `${r.session} is not running; the note waits for its next start`,
    skipped: 'session kept (--no-restart)',
  }[r.restart];
  return `Handed off ${r.address}: note ${r.mail}${r.hooked ? `, hooked ${r.hooked}` : ''}; ${how}`;
}
