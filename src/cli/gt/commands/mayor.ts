// gt mayor start|attach|detach|stop|restart|status: the Mayor's session, the agent the person talks to.
import type { Command } from 'commander';
import { isoNow } from '../../../kernel/index.ts';
import { ensureDaemon } from '../../../daemon/index.ts';
import { getAgent, listAgents, startAgent, stopAgent, townTmux, withStore } from '../../../work/sessions/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import {
  chooseAgent,
  daemonWarning,
  describeStart,
  ensureStarted,
  identityFor,
  startAndAttach,
} from './session-support.ts';

export function registerMayor(program: Command, ctx: GtCtx): void {
  const mayor = program.command('mayor').description("the Mayor: the town's coordinating agent you talk to");
  const mayorId = () => identityFor(ctx, 'mayor');

  mayor
    .command('start')
    .description("start the Mayor's agent in its tmux session (does nothing if it is running)")
    .option('--agent <name>', 'agent to run (a preset such as claude, codex, gemini, or one from gt config agent)')
    .addHelpText('after', '\nExamples:\n  gt mayor start\n  gt mayor start --agent codex')
    .action(async (o: { agent?: string }) => {
      const daemon = await ensureDaemon(ctx.town());
      const r = await ensureStarted(ctx, mayorId(), o.agent);
      emit(ctx.io, ctx.json(), { data: { ...r, daemon }, text: `${describeStart(r)}\nTalk to it: gt mayor attach` });
      if (daemon.status === 'failed' && !ctx.json()) ctx.io.err(`${daemonWarning(daemon.error)}\n`);
    });

  mayor
    .command('attach')
    .description('attach this terminal to the Mayor, starting it first if needed (detach with Ctrl-b d)')
    .option('--agent <name>', 'agent to run if the Mayor has to be started')
    .addHelpText('after', '\nExamples:\n  gt mayor attach\n  gt mayor attach --agent codex')
    .action(async (o: { agent?: string }) => {
      const daemon = await ensureDaemon(ctx.town());
      if (daemon.status === 'failed') ctx.io.err(`${daemonWarning(daemon.error)}\n`);
      return startAndAttach(ctx, mayorId(), o.agent);
    });

  mayor
    .command('detach')
    .description("detach every terminal attached to the Mayor's session (the Mayor keeps running)")
    .addHelpText('after', '\nExample:\n  gt mayor detach')
    .action(async () => {
      const id = mayorId();
      const tmux = townTmux(ctx.town());
      const n = (await tmux.hasSession(id.session)) ? await tmux.detachClients(id.session) : 0;
      emit(ctx.io, ctx.json(), {
        data: { address: id.address, detached: n },
        text: n
          ? `Detached ${n} terminal${n === 1 ? '' : 's'} from the Mayor`
          : 'No terminal was attached to the Mayor',
      });
    });

  mayor
    .command('stop')
    .description("stop the Mayor's session (its mail and the town's beads stay)")
    .addHelpText('after', '\nExample:\n  gt mayor stop')
    .action(async () => {
      const r = await stopAgent(ctx.town(), mayorId());
      emit(ctx.io, ctx.json(), { data: r, text: r.stopped ? 'Stopped the Mayor' : 'The Mayor was not running' });
    });

  mayor
    .command('restart')
    .description('stop and start the Mayor, resuming its conversation when the runtime can')
    .option('--agent <name>', 'agent to run from now on')
    .option('--fresh', 'start a new conversation instead of resuming')
    .addHelpText('after', '\nExamples:\n  gt mayor restart\n  gt mayor restart --fresh --agent claude')
    .action(async (o: { agent?: string; fresh?: boolean }) => {
      const id = mayorId();
      const town = ctx.town();
      const previous = withStore(town, (s) => getAgent(s, id.address));
      const agent = o.agent ?? previous?.runtime ?? chooseAgent(ctx, id, undefined);
      await stopAgent(town, id);
      const r = await startAgent(town, {
        identity: id,
        agent: chooseAgent(ctx, id, agent),
        resume: !o.fresh && (o.agent === undefined || o.agent === previous?.runtime),
      });
      emit(ctx.io, ctx.json(), { data: r, text: describeStart(r) });
    });

  mayor
    .command('status')
    .description('whether the Mayor runs, with which agent, and what it is doing')
    .addHelpText('after', '\nExample:\n  gt mayor status --json')
    .action(async () => {
      const id = mayorId();
      const view = (await listAgents(ctx.town())).find((a) => a.address === id.address);
      const data = view ?? { address: id.address, session: id.session, state: 'stopped', checked_at: isoNow() };
      const text = view
        ? `Mayor: ${view.state} (${view.runtime}) in tmux session ${view.session}${view.attached ? ', attached' : ''}`
        : 'Mayor: never started (gt mayor start)';
      emit(ctx.io, ctx.json(), { data, text });
    });
}
