// gt nudge: put a message in front of a running agent now (typed into its session), or queue it for its next prompt.
import type { Command } from 'commander';
import type { NudgeMode } from '../../../agents/index.ts';
import { usageError } from '../../../kernel/index.ts';
import { currentAddress, nudgeAgent, NUDGE_MODES } from '../../../work/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerNudge(program: Command, ctx: GtCtx): void {
  program
    .command('nudge')
    .description("send a message into a running agent's session (verified delivery; queued if the agent stays busy)")
    .argument('<address>', 'mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness')
    .argument('[message...]', 'the text (words are joined with spaces); put it after -- if it starts with "-"')
    .option(
      '--mode <mode>',
      'wait-idle (default: type once the agent is idle, else queue), queue (for its next prompt), immediate (type now)',
      'wait-idle',
    )
    .option('--agent <preset>', 'the agent runtime whose ready/busy signals to use (default: from the town settings)')
    .addHelpText(
      'after',
      '\nExample:\n  gt nudge mayor "check your mail"\n  gt nudge myproject/toast --mode queue "rebase on main before gt done"\n  gt nudge myproject/crew/alice -- "-x is broken, see hq-mail-a1b"',
    )
    .action(async (to: string, words: string[], o: { mode: string; agent?: string }) => {
      if (!(NUDGE_MODES as readonly string[]).includes(o.mode)) {
        throw usageError(
          'GT_BAD_NUDGE_MODE',
          `nudge mode "${o.mode}" is not known`,
          `modes: ${NUDGE_MODES.join(', ')}`,
        );
      }
      const town = ctx.town();
      let from: string | undefined;
      try {
        from = currentAddress(town).text;
      } catch {
        from = undefined; // a sender name is a courtesy; a broken GT_* identity must not stop the nudge
      }
      const r = await nudgeAgent(town, to, words.join(' '), {
        mode: o.mode as NudgeMode,
        ...(o.agent ? { agent: o.agent } : {}),
        ...(from ? { from } : {}),
      });
      const text =
        r.result.status === 'delivered'
          ? `Nudged ${r.to} (session ${r.session})${r.result.verified ? '' : ' (not verified on screen)'}`
          : `Queued for ${r.to} (session ${r.session})${r.result.why === 'busy' ? ': it stayed busy' : ''}; it sees the message at its next prompt`;
      emit(ctx.io, ctx.json(), { data: { to: r.to, session: r.session, mode: r.mode, ...r.result }, text });
    });
}
