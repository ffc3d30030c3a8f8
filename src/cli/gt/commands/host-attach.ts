// gt attach <address>: this terminal on any agent's session, wherever it runs: the town's tmux, or a host's through
// `ssh -t … tmux attach` (docs/hosts.md). Detach as in tmux (Ctrl-b d); the agent keeps running.
import type { Command } from 'commander';
import { GtError } from '../../../kernel/index.ts';
import { townTmux } from '../../../work/sessions/index.ts';
import { ExitSignal } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';
import { attachTerminal, identityFor } from './session-support.ts';

export function registerAttach(program: Command, ctx: GtCtx): void {
  program
    .command('attach')
    .description("attach this terminal to an agent's session (on a host too); detach with Ctrl-b d")
    .argument('<agent>', 'agent address: mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness')
    .addHelpText('after', '\nExamples:\n  gt attach myproject/furiosa\n  gt attach mayor')
    .action(async (agent: string) => {
      const id = identityFor(ctx, agent);
      if (!(await townTmux(ctx.town()).hasSession(id.session))) {
        throw new GtError('GT_NOT_RUNNING', `${id.address} is not running (no session ${id.session})`, {
          hint: 'gt agents lists the agents that run; gt peek shows the last screen of one that died at start-up',
        });
      }
      const code = attachTerminal(ctx, id);
      if (code !== 0) throw new ExitSignal(code);
    });
}
