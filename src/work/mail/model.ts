// Mail between agents: the record, its types and priorities, and the pure rules (ids, reply subjects, ordering).
import { randomInt } from 'node:crypto';
import { usageError } from '../../kernel/index.ts';

export const MAIL_TYPES = ['message', 'task', 'escalation', 'handoff', 'notification', 'reply'] as const;
export type MailType = (typeof MAIL_TYPES)[number];

/** One mail row, as `--json` prints it. Addresses are canonical (`formatAddress`); times are ISO strings. */
export interface Mail {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  /** 0 (urgent) … 4 (whenever); 2 by default. */
  priority: number;
  type: MailType;
  /** The id shared by every mail of one conversation (the first mail's id, or the fan-out's first row). */
  thread_id: string;
  /** The mail this one answers. */
  reply_to: string | null;
  created_at: string;
  read_at: string | null;
  acked_at: string | null;
  archived_at: string | null;
}

export const MAIL_ID_PREFIX = 'hq-mail-';
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A fresh mail id: `hq-mail-` and `length` random base-36 characters (callers retry on the rare collision). */
export function newMailId(length = 6): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return `${MAIL_ID_PREFIX}${s}`;
}

export function replySubject(subject: string): string {
  return /^re:\s/i.test(subject) ? subject : `Re: ${subject}`;
}

export function checkPriority(value: string | number | undefined): number {
  if (value === undefined) return 2;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 4) {
    throw usageError(
      'GT_BAD_PRIORITY',
      `priority "${value}" is not 0–4`,
      'use 0 (urgent), 1 (high), 2 (normal, the default), 3 or 4 (low)',
    );
  }
  return n;
}

export function checkMailType(value: string | undefined): MailType {
  if (value === undefined) return 'message';
  if (!(MAIL_TYPES as readonly string[]).includes(value)) {
    throw usageError('GT_BAD_MAIL_TYPE', `mail type "${value}" is not known`, `types: ${MAIL_TYPES.join(', ')}`);
  }
  return value as MailType;
}

export function checkSubject(subject: string | undefined): string {
  const s = (subject ?? '').trim();
  if (!s) throw usageError('GT_EMPTY_SUBJECT', 'the mail has no subject', 'give one with -s "<subject>"');
  if (/[\r\n]/.test(s))
    throw usageError(
      'GT_BAD_SUBJECT',
      'the subject spans several lines',
      'keep the subject on one line; put the rest in the body (-m)',
    );
  return s;
}

/** Inbox order for an agent's attention: most urgent first, then oldest first (mail waits in the order it came). */
export function byUrgency(a: Mail, b: Mail): number {
  return a.priority - b.priority || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}
