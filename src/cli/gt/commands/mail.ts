// gt mail send|inbox|read|reply|ack|archive|check: mail between agents and the overseer, kept in the town store.
import type { Command } from 'commander';
import { messageOf, safeLine } from '../../../kernel/index.ts';
import {
  ack,
  archive,
  checkMail,
  currentAddress,
  injectText,
  listInbox,
  markRead,
  formatMailSummary,
  reply,
  requireRecipient,
  sendMail,
  type Mail,
  type SendResult,
} from '../../../work/index.ts';
import { parseAddress } from '../../../town/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

interface SendOpts {
  subject: string;
  message?: string;
  priority?: string;
  type?: string;
  notify: boolean;
  from?: string;
}

export function registerMail(program: Command, ctx: GtCtx): void {
  const mail = program
    .command('mail')
    .description('mail between agents and the overseer (stored in the town, nudges live recipients)')
    .addHelpText(
      'after',
      '\nExample:\n  gt mail send mayor -s "Need a review" -m "Branch polecat/toast is ready"\n  gt mail inbox --unread',
    );
  const body = (m: string | undefined): string => (m === '-' ? ctx.io.stdin() : (m ?? ''));

  mail
    .command('send')
    .description('send mail to an agent, the overseer, or everyone in a rig (<rig>/)')
    .argument(
      '<address>',
      'mayor, overseer, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery, <rig>/witness, or <rig>/',
    )
    .requiredOption('-s, --subject <subject>', 'one-line subject')
    .option('-m, --message <body>', 'the body ("-" reads standard input)')
    .option('--priority <0-4>', '0 urgent, 1 high, 2 normal (default), 3–4 low')
    .option('--type <type>', 'message (default), task, escalation, handoff, notification, reply')
    .option('--no-notify', "do not nudge the recipient's live session")
    .option('--from <address>', 'send as this address (default: the current agent, or overseer)')
    .addHelpText(
      'after',
      '\nExample:\n  gt mail send myproject/witness -s "Deploy is blocked" -m "CI fails on main since 10:02" --priority 1\n  gt mail send myproject/ -s "Freeze" -m "No merges until the release is out"',
    )
    .action(async (to: string, o: SendOpts) => {
      const town = ctx.town();
      const from = currentAddress(town, o.from);
      const recipient = parseAddress(town, to);
      requireRecipient(town, recipient);
      const r = await sendMail(town, {
        from: from.address,
        to: recipient,
        subject: o.subject,
        body: body(o.message),
        notify: o.notify,
        ...(o.priority !== undefined ? { priority: o.priority } : {}),
        ...(o.type !== undefined ? { type: o.type } : {}),
      });
      emit(ctx.io, ctx.json(), { data: r, text: renderSent(r, 'Sent') });
    });

  mail
    .command('inbox')
    .description('list mail of an agent (default: the current agent, or overseer), newest first')
    .argument('[address]', 'whose inbox')
    .option('--unread', 'only mail not yet read')
    .option('--all', 'include archived mail')
    .addHelpText('after', '\nExample:\n  gt mail inbox --unread\n  gt mail inbox myproject/crew/alice --json')
    .action((who: string | undefined, o: { unread?: boolean; all?: boolean }) => {
      const town = ctx.town();
      const me = currentAddress(town, who);
      const list = listInbox(town, me.text, { unread: Boolean(o.unread), archived: Boolean(o.all) });
      emit(ctx.io, ctx.json(), { data: list, text: renderInbox(me.text, list, Boolean(o.unread)) });
    });

  mail
    .command('read')
    .description('print a mail and mark it read')
    .argument('<id>', 'mail id, or a unique start of one')
    .addHelpText('after', '\nExample:\n  gt mail read hq-mail-a1b2c3\n  gt mail read a1b')
    .action((id: string) => {
      const m = markRead(ctx.town(), id);
      emit(ctx.io, ctx.json(), { data: m, text: renderMail(m) });
    });

  mail
    .command('reply')
    .description('answer a mail: to its sender, in its thread, subject "Re: …"')
    .argument('<id>', 'the mail answered (id or unique start)')
    .requiredOption('-m, --message <body>', 'the body ("-" reads standard input)')
    .option('-s, --subject <subject>', 'subject (default "Re: <original subject>")')
    .option('--priority <0-4>', "default: the original's priority")
    .option('--no-notify', "do not nudge the recipient's live session")
    .option('--from <address>', 'reply as this address (default: the current agent, or overseer)')
    .addHelpText('after', '\nExample:\n  gt mail reply a1b -m "Fixed in 3f2e1d0, merging now"')
    .action(
      async (
        id: string,
        o: { message: string; subject?: string; priority?: string; notify: boolean; from?: string },
      ) => {
        const town = ctx.town();
        const r = await reply(town, {
          from: currentAddress(town, o.from).address,
          id,
          body: body(o.message),
          notify: o.notify,
          ...(o.subject !== undefined ? { subject: o.subject } : {}),
          ...(o.priority !== undefined ? { priority: o.priority } : {}),
        });
        emit(ctx.io, ctx.json(), { data: r, text: renderSent(r, 'Replied') });
      },
    );

  mail
    .command('ack')
    .description('acknowledge a mail (read and acted on)')
    .argument('<id>', 'mail id, or a unique start of one')
    .addHelpText('after', '\nExample:\n  gt mail ack hq-mail-a1b2c3')
    .action((id: string) => {
      const m = ack(ctx.town(), id);
      emit(ctx.io, ctx.json(), { data: m, text: `Acknowledged ${m.id} (${JSON.stringify(m.subject)} from ${m.from})` });
    });

  mail
    .command('archive')
    .description('archive mails: they leave the inbox (gt mail inbox --all still lists them)')
    .argument('<ids...>', 'mail ids, or unique starts of them')
    .addHelpText('after', '\nExample:\n  gt mail archive hq-mail-a1b2c3 hq-mail-d4e5f6')
    .action((ids: string[]) => {
      const r = archive(ctx.town(), ids);
      const text = [
        ...r.archived.map((m) => `Archived ${m.id} (${JSON.stringify(m.subject)})`),
        ...r.already.map((id) => `${id} was archived already`),
      ].join('\n');
      emit(ctx.io, ctx.json(), { data: r, text });
    });

  mail
    .command('check')
    .description('unread mail of the current agent; --inject prints the block for a prompt hook (nothing when none)')
    .option('--inject', 'print a <system-reminder> block with unread mail and queued nudges (drained); never fails')
    .addHelpText(
      'after',
      "\nExample:\n  gt mail check --json\n  gt mail check --inject   # in Claude Code's UserPromptSubmit hook",
    )
    .action((o: { inject?: boolean }) => {
      if (o.inject) {
        // Inside a hook: stdout is injected into the agent's prompt, so only the block goes there; any failure is one
        // short stderr line and exit 0, never a broken prompt.
        try {
          const town = ctx.town();
          const me = currentAddress(town);
          ctx.io.out(injectText(checkMail(town, me.address, me.text, { drain: true })));
        } catch (e) {
          ctx.io.err(`gt mail check: ${messageOf(e).split('\n')[0]}\n`);
        }
        return;
      }
      const town = ctx.town();
      const me = currentAddress(town);
      const c = checkMail(town, me.address, me.text);
      const text = c.unread.length ? formatMailSummary(c.unread) : `No unread mail for ${c.address}.`;
      emit(ctx.io, ctx.json(), { data: { address: c.address, unread: c.unread.length, mail: c.unread }, text });
    });
}

function renderSent(r: SendResult, verb: string): string {
  const head = `${verb} ${JSON.stringify(r.mail[0]?.subject ?? '')} (thread ${r.thread_id})`;
  const lines = r.deliveries.map((d) => {
    const how = {
      delivered: 'notified in its session',
      queued: 'busy: note queued for its next prompt',
      'not-running': 'not running: the mail waits',
      skipped: 'not notified',
      failed: `notification failed (${d.detail ?? ''}); the mail waits`,
    }[d.notify];
    return `  ${d.id} → ${d.to}: ${how}`;
  });
  return [head, ...lines].join('\n');
}

function renderInbox(who: string, list: readonly Mail[], unreadOnly: boolean): string {
  if (list.length === 0) return `No ${unreadOnly ? 'unread ' : ''}mail for ${who}.`;
  const rows = list.map((m) => {
    const flag = m.archived_at ? 'a' : m.read_at ? ' ' : '●';
    return `${flag} ${m.id}  P${m.priority}  ${m.created_at.slice(0, 16).replace('T', ' ')}  from ${m.from}  ${JSON.stringify(m.subject)}`;
  });
  return [`Mail for ${who} (${list.length}; ● unread):`, ...rows].join('\n');
}

function renderMail(m: Mail): string {
  return [
    `${m.id}  (${m.type}, priority ${m.priority})`,
    `From:    ${m.from}`,
    `To:      ${m.to}`,
    `Subject: ${safeLine(m.subject)}`,
    `Date:    ${m.created_at}`,
    `Thread:  ${m.thread_id}${m.reply_to ? `  (reply to ${m.reply_to})` : ''}`,
    '',
    m.body || '(no body)',
  ].join('\n');
}
