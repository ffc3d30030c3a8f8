// gt peek: the end of an agent's screen, without attaching to it.
import type { Command } from 'commander';
import { GtError, usageError } from '../../../kernel/index.ts';
import { howItEnded, readLastExit, townTmux } from '../../../work/sessions/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { identityFor } from './session-support.ts';

export function registerPeek(program: Command, ctx: GtCtx): void {
  program
    .command('peek')
    .description("print the last lines of an agent's screen")
    .argument('<agent>', 'agent address: mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness')
    .option('-n, --lines <n>', 'how many lines', '40')
    .addHelpText('after', '\nExamples:\n  gt peek mayor\n  gt peek myproject/crew/alice -n 100')
    .action(async (agent: string, o: { lines: string }) => {
      const n = Number(o.lines);
      if (!Number.isInteger(n) || n < 1 || n > 10_000)
        throw usageError('GT_BAD_LINES', `--lines must be a whole number from 1 to 10000, not "${o.lines}"`);
      const id = identityFor(ctx, agent);
      const town = ctx.town();
      const tmux = townTmux(town);
      if (!(await tmux.hasSession(id.session))) {
        // Gone: an agent that died at start-up left its last screen and exit status behind.
        const exit = readLastExit(town, id.session);
        if (!exit)
          throw new GtError('GT_NOT_RUNNING', `${id.address} is not running (no tmux session ${id.session})`, {
            hint: 'gt agents lists the agents that run',
          });
        const lines = exit.lines.slice(-n);
        const head = `${id.address} is not running: ${exit.runtime} ${howItEnded(exit)} during start-up at ${exit.at}. Its last screen:`;
        emit(ctx.io, ctx.json(), {
          data: {
            address: id.address,
            session: id.session,
            live: false,
            exit: { runtime: exit.runtime, at: exit.at, status: exit.status, signal: exit.signal },
            lines,
          },
          text: [head, ...lines].join('\n'),
        });
        return;
      }
      const lines = await tmux.capturePane(id.session, { lines: n });
      emit(ctx.io, ctx.json(), {
        data: { address: id.address, session: id.session, live: true, lines },
        text: lines.join('\n'),
      });
    });
}
