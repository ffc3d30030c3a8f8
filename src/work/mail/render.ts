// Compact text views of mail for agents: one line per mail, and the block the prompt hook injects (mail + nudges).
import type { QueuedNudge } from '../../agents/index.ts';
import type { Mail } from './model.ts';

const TIER = ['urgent', 'high'] as const;

/** `[urgent] hq-mail-a1b2c3  from app/witness  "Subject"` (a tier tag only for priority 0 and 1). */
export function formatMailLine(m: Mail): string {
  const tier = TIER[m.priority];
  return `${tier ? `[${tier}] ` : ''}${m.id}  from ${m.from}  ${JSON.stringify(m.subject)}${m.type !== 'message' ? `  (${m.type})` : ''}`;
}

/** Lines listing unread mail, for `gt prime` and the hook; empty when there is none. */
export function formatMailSummary(mails: readonly Mail[]): string {
  if (mails.length === 0) return '';
  const head = `📬 ${mails.length} unread mail${mails.length === 1 ? '' : 's'} (read: gt mail read <id>; then gt mail ack <id> or gt mail archive <id>)`;
  return [head, ...mails.map((m) => `  ${formatMailLine(m)}`)].join('\n');
}

/**
 * The block `gt mail check --inject` prints for the runtime's prompt hook: unread mail (most urgent first) and the
 * nudges drained from the queue, inside a <system-reminder>. Empty string when there is nothing to say.
 */
export function formatInjectBlock(mails: readonly Mail[], nudges: readonly QueuedNudge[]): string {
  if (mails.length === 0 && nudges.length === 0) return '';
  const parts: string[] = [];
  const mailText = formatMailSummary(mails);
  if (mailText) parts.push(mailText);
  if (nudges.length > 0) {
    parts.push(
      [
        `💬 ${nudges.length} nudge${nudges.length === 1 ? '' : 's'} while you were busy:`,
        ...nudges.map(
          (n) => `  ${n.priority === 'urgent' ? '[urgent] ' : ''}${n.from ? `${n.from}: ` : ''}${n.message}`,
        ),
      ].join('\n'),
    );
  }
  return `<system-reminder>\n${parts.join('\n')}\n</system-reminder>\n`;
}
