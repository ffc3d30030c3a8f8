// gt escalate: hand a problem to people who can settle it (a bead plus mail to the Mayor and the overseer), and
// gt escalate list|show|ack|close to settle it.
import type { Command } from 'commander';
import { currentAddress, escalate, SEVERITIES } from '../../../work/index.ts';
import { emit } from '../../shared/runtime.ts';
import {
  ackEscalation,
  closeEscalation,
  listEscalations,
  showEscalation,
  type Escalation,
  type SettleResult,
} from '../../../work/escalations.ts';
import type { GtCtx } from '../context.ts';

export function registerEscalate(program: Command, ctx: GtCtx): void {
  const esc = program
    .command('escalate')
    .description('raise a problem you cannot settle: an escalation bead, and mail to the Mayor and the overseer')
    .argument('<message...>', 'what is wrong (words are joined with spaces; "-" reads standard input)')
    .option(
      '-s, --severity <level>',
      `${SEVERITIES.join(', ')} (default medium; critical also rings the overseer)`,
      'medium',
    )
    .option('--bead <id>', 'the bead this is about')
    .option('--from <address>', 'escalate as this address (default: the current agent, or overseer)')
    .addHelpText(
      'after',
      '\nSettle escalations with gt escalate list|show|ack|close.\n\nExamples:\n  gt escalate "npm test hangs on app since 10:02" --severity high --bead app-a1b\n  gt escalate -s critical "main is broken and the refinery keeps failing"',
    )
    .action(async (words: string[], o: { severity: string; bead?: string; from?: string }) => {
      const town = ctx.town();
      const message = words.length === 1 && words[0] === '-' ? ctx.io.stdin() : words.join(' ');
      const from = currentAddress(town, o.from).address;
      // A polecat escalating hands its hooked work over: the hook waits until the escalation is closed.
      const r = await escalate(town, from, message, o.severity, {
        ...(o.bead !== undefined ? { bead: o.bead } : {}),
        suspendHook: from.kind === 'polecat',
      });
      const about = r.related ? ` about ${r.related}` : '';
      const hook = r.suspended
        ? `; your hook (${r.related}) is suspended until ${r.bead} is closed: stop working on it`
        : '';
      emit(ctx.io, ctx.json(), {
        data: r,
        text: r.duplicate
          ? `Already escalated as ${r.bead}${about}, still open: nothing new sent${hook}`
          : `Escalated (${r.severity}, P${r.priority}) as ${r.bead}${about}; mailed mayor and overseer (${r.mail.join(', ')})${hook}`,
      });
    });
  registerSettle(esc, ctx);
}

function registerSettle(esc: Command, ctx: GtCtx): void {
  esc
    .command('list')
    .description('open escalations, most urgent first (--all: closed ones too)')
    .option('--all', 'closed escalations too')
    .addHelpText('after', '\nExamples:\n  gt escalate list\n  gt escalate list --all --json')
    .action((o: { all?: boolean }) => {
      const list = listEscalations(ctx.town(), { all: o.all ?? false });
      emit(ctx.io, ctx.json(), {
        data: list,
        text: list.length ? list.map(row).join('\n') : o.all ? 'No escalations.' : 'No open escalations.',
      });
    });

  esc
    .command('show')
    .description('one escalation in full: who raised it, about what, and whether a hook waits for it')
    .argument('<id>', 'escalation bead id (any unique start)')
    .addHelpText('after', '\nExample:\n  gt escalate show hq-a1b')
    .action((id: string) => {
      const e = showEscalation(ctx.town(), id);
      emit(ctx.io, ctx.json(), {
        data: e,
        text: [
          row(e),
          ...(e.acked
            ? [`  acknowledged by ${e.acked.by} at ${e.acked.at}${e.acked.note ? `: ${e.acked.note}` : ''}`]
            : []),
          ...(e.close_reason ? [`  closed: ${e.close_reason}`] : []),
          '',
          e.description,
        ].join('\n'),
      });
    });

  esc
    .command('ack')
    .description('acknowledge an escalation (it stays open); the hook it suspended works again')
    .argument('<id>', 'escalation bead id')
    .option('-m, --message <text>', 'a note for the agent that raised it')
    .addHelpText(
      'after',
      '\nExamples:\n  gt escalate ack hq-a1b\n  gt escalate ack hq-a1b -m "looking at it; carry on with the rest"',
    )
    .action(async (id: string, o: { message?: string }) => {
      const town = ctx.town();
      const r = await ackEscalation(town, id, currentAddress(town).text, o.message);
      emit(ctx.io, ctx.json(), { data: r, text: `Acknowledged ${r.escalation.id}${settled(r)}` });
    });

  esc
    .command('close')
    .description('close an escalation with what was decided; the hook it suspended works again')
    .argument('<id>', 'escalation bead id')
    .requiredOption('-r, --reason <text>', 'what was decided (told to the agent that raised it)')
    .addHelpText('after', '\nExample:\n  gt escalate close hq-a1b -r "use the v2 API"')
    .action(async (id: string, o: { reason: string }) => {
      const town = ctx.town();
      const r = await closeEscalation(town, id, currentAddress(town).text, o.reason);
      emit(ctx.io, ctx.json(), { data: r, text: `Closed ${r.escalation.id}: ${o.reason}${settled(r)}` });
    });
}

function row(e: Escalation): string {
  const state = e.status === 'closed' ? 'closed' : e.acked ? 'acked' : 'open';
  return `${e.id}  ${e.severity.padEnd(8)} ${state.padEnd(6)} ${e.from ?? '-'}${e.about ? ` about ${e.about}` : ''}${e.hook_suspended ? ' (hook suspended)' : ''}: ${e.title}`;
}

function settled(r: SettleResult): string {
  const x = r.resumed;
  if (!x) return '';
  return x.status === 'resumed'
    ? `; ${x.address} works on ${x.bead} again (${x.how === 'nudged' ? 'told to carry on' : 'started'})`
    : `; ${x.address} was already working on ${x.bead}`;
}
