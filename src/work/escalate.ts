// Escalation: something an agent (or the daemon) cannot settle goes to people who can: a bead labelled
// `escalation` in the town store, at the severity's priority, plus mail to the Mayor and the overseer.
import { usageError, TOWN_EVENTS } from '../kernel/index.ts';
import { addDependency, findLabelled, insertBead, resolveId } from '../beads/index.ts';
import { formatAddress, parseAddress, type AgentAddress, type TownContext } from '../town/index.ts';
import { sendMail, type SendDeps } from './mail/index.ts';
import { alertHuman, type AlertFn } from './convoy/alert.ts';
import { recordEvent } from './convoy/events.ts';
import { withTownStore } from './convoy/manage.ts';
import { getPolecat, updatePolecat } from './polecats/index.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Bead and mail priority of each severity: critical P0 … low P3. */
export const SEVERITY_PRIORITY: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

export interface EscalateOptions {
  /** A bead the escalation is about (linked as `related`). */
  bead?: string;
  mail?: SendDeps;
  /** How the overseer is alerted for a critical escalation (default: bell and desktop notification). */
  alert?: AlertFn;
  /**
   * A polecat escalating its own hooked work (the default for `gt escalate` from a polecat): the escalation is about
   * that bead and the hook is suspended (no restarts, no stuck nudges, `gt hook` says so) until the escalation is
   * closed, when the daemon resumes it.
   */
  suspendHook?: boolean;
}

export interface EscalateResult {
  /** The escalation bead. */
  bead: string;
  severity: Severity;
  priority: number;
  from: string;
  related: string | null;
  /** Mail ids, one to the Mayor and one to the overseer; none when this repeats an open escalation. */
  mail: string[];
  alerted: string[];
  /** The same escalation (sender, subject, bead) is still open: nothing new was filed or sent. */
  duplicate: boolean;
  /** The sender's hook was suspended (see suspendHook). */
  suspended: boolean;
}

export function parseSeverity(s: string | undefined): Severity {
  const v = (s ?? 'medium').trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  throw usageError('GT_BAD_SEVERITY', `severity "${s}" is not known`, `use one of: ${SEVERITIES.join(', ')}`);
}

function titleOf(message: string): string {
  const first = message.trim().split('\n')[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 117)}…` : first;
}

export async function escalate(
  town: TownContext,
  from: string | AgentAddress,
  message: string,
  severity: Severity | string = 'medium',
  opts: EscalateOptions = {},
): Promise<EscalateResult> {
  const sev = parseSeverity(severity);
  const text = message.trim();
  if (!text)
    throw usageError(
      'GT_EMPTY_ESCALATION',
      'the escalation has no message',
      'say what is wrong, e.g. gt escalate "Gate hangs on app: npm test never returns" --severity high',
    );
  const sender = typeof from === 'string' ? parseAddress(town, from) : from;
  const fromText = formatAddress(sender);
  const priority = SEVERITY_PRIORITY[sev];
  const title = titleOf(text);
  const made = withTownStore(town, fromText, (store) =>
    store.write(() => {
      const hooked =
        opts.suspendHook && sender.kind === 'polecat' ? getPolecat(store, sender.rig, sender.name) : undefined;
      const related = opts.bead !== undefined ? resolveId(store, opts.bead) : (hooked?.bead ?? null);
      const suspend = hooked?.bead != null && hooked.bead === related && hooked.hook_state !== 'suspended';
      if (suspend) {
        updatePolecat(store, hooked.rig, hooked.name, { state: 'idle', hook_state: 'suspended' });
        recordEvent(store, {
          actor: fromText,
          kind: TOWN_EVENTS.hook.suspended,
          subject: related,
          reason: `escalated: ${title}`,
        });
      }
      // Asking again (an agent retrying, a loop) is the same escalation: one bead, one mail, until it is closed.
      const open = findLabelled(store, {
        label: 'escalation',
        metadata: { from: fromText, bead: related },
        title: `Escalation: ${title}`,
        open: true,
      })[0];
      if (open) return { id: open.id, related, duplicate: true, suspended: suspend };
      const b = insertBead(store, {
        title: `Escalation: ${title}`,
        description: `${text}\n\nFrom: ${fromText}\nSeverity: ${sev}${related ? `\nAbout: ${related}` : ''}`,
        type: 'task',
        priority,
        labels: ['escalation', `severity:${sev}`],
        metadata: { from: fromText, severity: sev, ...(related ? { bead: related } : {}) },
      });
      if (related) addDependency(store, b.id, related, 'related');
      recordEvent(store, {
        actor: fromText,
        kind: TOWN_EVENTS.escalation.filed,
        subject: related ?? b.id,
        reason: title,
        data: { bead: b.id, severity: sev },
      });
      return { id: b.id, related, duplicate: false, suspended: suspend };
    }),
  );
  if (made.duplicate)
    return {
      bead: made.id,
      severity: sev,
      priority,
      from: fromText,
      related: made.related,
      mail: [],
      alerted: [],
      duplicate: true,
      suspended: made.suspended,
    };
  const body = `${text}\n\nSeverity: ${sev} (P${priority})${made.related ? `\nAbout: ${made.related}` : ''}\nEscalation bead: ${made.id}; close it when settled: gt bd close ${made.id} -r "<what was decided>"`;
  const mail: string[] = [];
  for (const to of [{ kind: 'mayor' }, { kind: 'overseer' }] as const) {
    const r = await sendMail(
      town,
      { from: sender, to, subject: `[${sev.toUpperCase()}] ${title}`, body, type: 'escalation', priority },
      opts.mail,
    );
    mail.push(...r.mail.map((m) => m.id));
  }
  const alerted =
    sev === 'critical'
      ? (opts.alert ?? ((t, b) => alertHuman(t, b, town.env)))(`Gas Town: critical escalation from ${fromText}`, title)
      : [];
  return {
    bead: made.id,
    severity: sev,
    priority,
    from: fromText,
    related: made.related,
    mail,
    alerted,
    duplicate: false,
    suspended: made.suspended,
  };
}
