// Escalations after they are raised: list and show them, acknowledge one (the hook it suspended works again) and
// close one with what was decided. An escalation is a bead labelled `escalation` (see escalate.ts).
import { GtError, isoNow } from '../kernel/index.ts';
import { applyUpdate, closeBeads, getBead, listBeads, resolveId, type Bead, type Store } from '../beads/index.ts';
import { parseAddress, type TownContext } from '../town/index.ts';
import { withTownStore } from './convoy/manage.ts';
import { getPolecat } from './polecats/index.ts';
import { resumeHook, type ResumeResult } from './hook/index.ts';
import { withStore } from './sessions/index.ts';

export interface Escalation {
  id: string;
  title: string;
  status: string;
  severity: string;
  priority: number;
  from: string | null;
  /** The bead it is about, if any. */
  about: string | null;
  created_at: string;
  acked: { by: string; at: string; note: string | null } | null;
  closed_at: string | null;
  close_reason: string | null;
  /** The sender's hook is suspended on `about`, waiting for this escalation. */
  hook_suspended: boolean;
}

function view(s: Store, b: Bead): Escalation {
  const m = b.metadata ?? {};
  const from = typeof m.from === 'string' ? m.from : null;
  const about = typeof m.bead === 'string' ? m.bead : null;
  const ack = m.acked_by
    ? { by: String(m.acked_by), at: String(m.acked_at ?? ''), note: typeof m.ack_note === 'string' ? m.ack_note : null }
    : null;
  const [rig, name, extra] = from?.split('/') ?? [];
  const p = rig && name && extra === undefined ? getPolecat(s, rig, name) : undefined;
  return {
    id: b.id,
    title: b.title.replace(/^Escalation: /, ''),
    status: b.status,
    severity: typeof m.severity === 'string' ? m.severity : 'medium',
    priority: b.priority,
    from,
    about,
    created_at: b.created_at,
    acked: ack,
    closed_at: b.closed_at,
    close_reason: b.close_reason,
    hook_suspended: !!p && b.status !== 'closed' && p.bead === about && p.hook_state === 'suspended',
  };
}

/** Open escalations (or all with `all`), most urgent first, then newest. */
export function listEscalations(town: TownContext, o: { all?: boolean } = {}): Escalation[] {
  return withStore(town, (s) =>
    listBeads(s, { labels: ['escalation'], includeClosed: o.all ?? false })
      .beads.map((b) => view(s, b))
      .sort((a, b) => a.priority - b.priority || b.created_at.localeCompare(a.created_at)),
  );
}

function requireEscalation(s: Store, ref: string): Bead {
  let id: string;
  try {
    id = resolveId(s, ref);
  } catch {
    throw new GtError('GT_ESCALATION_NOT_FOUND', `no escalation "${ref}"`, {
      kind: 'usage',
      hint: 'gt escalate list shows the open ones (--all the closed ones too)',
    });
  }
  const b = getBead(s.db, id)!;
  if (!b.labels.includes('escalation'))
    throw new GtError('GT_NOT_AN_ESCALATION', `${id} is not an escalation (it has no "escalation" label)`, {
      kind: 'usage',
      hint: 'gt escalate list shows the escalations',
    });
  return b;
}

export function showEscalation(town: TownContext, ref: string): Escalation & { description: string } {
  return withStore(town, (s) => {
    const b = requireEscalation(s, ref);
    return { ...view(s, b), description: b.description };
  });
}

export interface SettleResult {
  escalation: Escalation;
  /** The suspended hook it came from, put back to work; null when there was none. */
  resumed: ResumeResult | null;
}

/** Resume the sender's hook when it is suspended on this escalation's bead. */
async function resumeSender(
  town: TownContext,
  e: Escalation,
  actor: string,
  note: string,
): Promise<ResumeResult | null> {
  if (!e.hook_suspended || !e.from) return null;
  const a = parseAddress(town, e.from);
  if (a.kind !== 'polecat') return null;
  const p = withStore(town, (s) => getPolecat(s, a.rig, a.name));
  return p ? resumeHook(town, p, { actor, note }) : null;
}

/** Acknowledge: someone has it in hand. The escalation stays open; the hook it suspended works again. */
export async function ackEscalation(
  town: TownContext,
  ref: string,
  actor: string,
  note?: string,
): Promise<SettleResult> {
  const e = withTownStore(town, actor, (s) =>
    s.write(() => {
      const b = requireEscalation(s, ref);
      if (b.status === 'closed')
        throw new GtError(
          'GT_ESCALATION_CLOSED',
          `escalation ${b.id} is closed already (${b.close_reason ?? 'no reason given'})`,
          { kind: 'usage', hint: `gt escalate show ${b.id}` },
        );
      if (!b.metadata?.acked_by)
        applyUpdate(s, b.id, {
          metadata: { ...(b.metadata ?? {}), acked_by: actor, acked_at: isoNow(), ...(note ? { ack_note: note } : {}) },
        });
      return view(s, getBead(s.db, b.id)!);
    }),
  );
  const resumed = await resumeSender(
    town,
    e,
    actor,
    `escalation ${e.id} acknowledged by ${actor}${note ? `: ${note}` : ''}`,
  );
  return { escalation: withStore(town, (s) => view(s, getBead(s.db, e.id)!)), resumed };
}

/** Close with what was decided; the hook it suspended works again at once (the daemon would on its next tick). */
export async function closeEscalation(
  town: TownContext,
  ref: string,
  actor: string,
  reason: string,
): Promise<SettleResult> {
  if (!reason.trim())
    throw new GtError('GT_NO_REASON', 'closing an escalation needs what was decided', {
      kind: 'usage',
      hint: 'give it with -r "<what was decided>"',
    });
  const before = withTownStore(town, actor, (s) => {
    const b = requireEscalation(s, ref);
    const v = view(s, b);
    if (b.status !== 'closed') closeBeads(s, [b.id], reason);
    return v;
  });
  if (before.status === 'closed')
    throw new GtError(
      'GT_ESCALATION_CLOSED',
      `escalation ${before.id} is closed already (${before.close_reason ?? 'no reason given'})`,
      { kind: 'usage', hint: `gt escalate show ${before.id}` },
    );
  const resumed = await resumeSender(town, before, actor, `escalation ${before.id} closed: ${reason}`);
  return { escalation: withStore(town, (s) => view(s, getBead(s.db, before.id)!)), resumed };
}
