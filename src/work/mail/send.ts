// Sending mail: expand the address to its recipients, store one row each (one thread), then notify live recipients.
import { GtError, messageOf } from '../../kernel/index.ts';
import type { NudgeTmux } from '../../agents/index.ts';
import {
  crewNames,
  formatAddress,
  parseAddress,
  polecatNames,
  townTmux,
  type AgentAddress,
  type TownContext,
} from '../../town/index.ts';
import { agentSession, nudgeAgent } from '../nudge-agent.ts';
import { getPolecat } from '../polecats/index.ts';
import { withStore } from '../sessions/index.ts';
import { findMail, insertMails, withMailStore } from './mailbox.ts';
import { checkMailType, checkPriority, checkSubject, replySubject, type Mail, type MailType } from './model.ts';

/** The agents an address reaches: itself, or for `<rig>/` every agent of the rig known on disk. */
export function recipientsOf(town: TownContext, to: AgentAddress): AgentAddress[] {
  if (to.kind !== 'rig') return [to];
  const rig = to.rig;
  return [
    ...polecatNames(town, rig).map((name): AgentAddress => ({ kind: 'polecat', rig, name })),
    ...crewNames(town, rig).map((name): AgentAddress => ({ kind: 'crew', rig, name })),
    { kind: 'refinery', rig },
    { kind: 'witness', rig },
  ];
}

/**
 * Refuse mail to a polecat or crew member the rig does not have (a typo would otherwise wait forever in an inbox no
 * one reads). Polecats count when their worktree or their row exists, crew when their clone does.
 */
export function requireRecipient(town: TownContext, to: AgentAddress): void {
  if (to.kind === 'crew' && !crewNames(town, to.rig).includes(to.name)) {
    const known = crewNames(town, to.rig);
    throw new GtError('GT_NO_RECIPIENT', `rig "${to.rig}" has no crew member "${to.name}"; the mail was not sent`, {
      kind: 'usage',
      hint: known.length
        ? `crew of ${to.rig}: ${known.map((n) => `${to.rig}/crew/${n}`).join(', ')}`
        : `add one with gt crew add ${to.name} --rig ${to.rig}`,
    });
  }
  if (
    to.kind === 'polecat' &&
    !polecatNames(town, to.rig).includes(to.name) &&
    !withStore(town, (s) => getPolecat(s, to.rig, to.name))
  ) {
    throw new GtError('GT_NO_RECIPIENT', `rig "${to.rig}" has no polecat "${to.name}"; the mail was not sent`, {
      kind: 'usage',
      hint: `gt polecat list --rig ${to.rig} shows its polecats; crew members are ${to.rig}/crew/<name>`,
    });
  }
}

export interface SendRequest {
  from: AgentAddress;
  to: AgentAddress;
  subject: string;
  body?: string;
  priority?: number | string;
  type?: MailType | string;
  /** Nudge live recipients (default true). */
  notify?: boolean;
  thread_id?: string;
  reply_to?: string;
}

/** What happened to the notification of one recipient. */
export type NotifyStatus = 'delivered' | 'queued' | 'not-running' | 'skipped' | 'failed';

export interface Delivery {
  id: string;
  to: string;
  session: string | null;
  notify: NotifyStatus;
  detail?: string;
}

export interface SendResult {
  thread_id: string;
  mail: Mail[];
  deliveries: Delivery[];
  /** True when at least one recipient was told (typed into its session or queued for its prompt hook). */
  notified: boolean;
}

export interface SendDeps {
  tmux?: NudgeTmux;
  /** How long a notification may wait for a busy agent before it is queued instead (default 3 s). */
  idleTimeoutMs?: number;
}

/** Store the mail, then notify each live recipient; a failed notification never fails the send (the mail is stored). */
export async function sendMail(town: TownContext, req: SendRequest, deps: SendDeps = {}): Promise<SendResult> {
  const subject = checkSubject(req.subject);
  const priority = checkPriority(req.priority);
  const type = checkMailType(req.type);
  const from = formatAddress(req.from);
  const recipients = recipientsOf(town, req.to);
  const mail = withMailStore(town, (store) =>
    insertMails(
      store,
      recipients.map((r) => ({
        from,
        to: formatAddress(r),
        subject,
        body: req.body ?? '',
        priority,
        type,
        ...(req.thread_id ? { thread_id: req.thread_id } : {}),
        ...(req.reply_to ? { reply_to: req.reply_to } : {}),
      })),
    ),
  );
  const deliveries = await notifyAll(town, recipients, mail, req.notify ?? true, deps);
  return {
    thread_id: mail[0]!.thread_id,
    mail,
    deliveries,
    notified: deliveries.some((d) => d.notify === 'delivered' || d.notify === 'queued'),
  };
}

/**
 * Tell each live recipient it has mail. Mode wait-idle with a short wait: an idle agent has it typed in at once (a
 * queued note alone would sit until someone types into that agent), a busy one gets it queued after ~3 s for its
 * prompt hook, so the sender never waits long nor interrupts a tool call. Recipients are nudged in parallel.
 */
async function notifyAll(
  town: TownContext,
  recipients: readonly AgentAddress[],
  mail: readonly Mail[],
  notify: boolean,
  deps: SendDeps,
): Promise<Delivery[]> {
  const tmux = notify ? (deps.tmux ?? townTmux(town)) : undefined;
  return Promise.all(
    recipients.map(async (r, i): Promise<Delivery> => {
      const m = mail[i]!;
      const session = r.kind === 'overseer' ? null : agentSession(town, r);
      const base = { id: m.id, to: m.to, session };
      if (!tmux || session === null || m.to === m.from) return { ...base, notify: 'skipped' };
      try {
        if (!(await tmux.hasSession(session))) return { ...base, notify: 'not-running' };
        const text = `📬 Mail from ${m.from}: ${m.subject} (read it: gt mail read ${m.id})`;
        const out = await nudgeAgent(town, r, text, {
          tmux,
          mode: 'wait-idle',
          from: m.from,
          priority: m.priority <= 1 ? 'urgent' : 'normal',
          settings: { idleTimeoutMs: deps.idleTimeoutMs ?? 3000, lockTimeoutMs: 5000, onIdleTimeout: 'queue' },
        });
        return { ...base, notify: out.result.status };
      } catch (e) {
        return { ...base, notify: 'failed', detail: messageOf(e) };
      }
    }),
  );
}

export interface ReplyRequest {
  from: AgentAddress;
  /** Id (or unique prefix) of the mail answered. */
  id: string;
  body?: string;
  subject?: string;
  priority?: number | string;
  notify?: boolean;
}

/** Answer a mail: to its sender, in its thread, subject "Re: …" (unless one is given), priority of the original by default. */
export async function reply(town: TownContext, req: ReplyRequest, deps: SendDeps = {}): Promise<SendResult> {
  const original = findMail(town, req.id);
  const to = parseAddress(town, original.from);
  requireRecipient(town, to);
  return sendMail(
    town,
    {
      from: req.from,
      to,
      subject: req.subject ?? replySubject(original.subject),
      body: req.body ?? '',
      priority: req.priority ?? original.priority,
      type: 'reply',
      thread_id: original.thread_id,
      reply_to: original.id,
      ...(req.notify !== undefined ? { notify: req.notify } : {}),
    },
    deps,
  );
}
