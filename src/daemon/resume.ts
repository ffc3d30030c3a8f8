// Resuming suspended hooks: a polecat that escalated its hooked work waits (no restarts, no stuck nudges) until
// its escalation is closed; then its hook is active again and the agent is told the answer.
import { TOWN_EVENTS } from '../kernel/index.ts';
import { nudge } from '../agents/index.ts';
import type { TownContext } from '../town/index.ts';
import { findLabelled } from '../beads/index.ts';
import { suspensionOf } from '../work/hook/index.ts';
import { identityOf, townTmux, withStore } from '../work/sessions/index.ts';
import { recordEvent } from './events.ts';
import { markHookResumed, suspendedHooks } from '../work/polecats/index.ts';

interface Suspended {
  rig: string;
  name: string;
  bead: string;
  updated_at: string;
}

interface Escalation {
  id: string;
  status: string;
  close_reason: string | null;
}

export const RESUME_NUDGE = (esc: string, bead: string, answer: string): string =>
  `Gas Town daemon: your escalation ${esc} about ${bead} was closed: ${answer}. Your hook is active again: carry on with ${bead} (gt prime shows it), and finish with gt done.`;

/**
 * Every suspended hook whose escalations (beads labelled `escalation` from that polecat about its bead) are all
 * closed: active and working again, an event, and a nudge to a live agent. A hook suspended with no escalation
 * bead (gt done --status escalated) waits for someone to sling or unsling the bead.
 */
export async function resumeSettled(town: TownContext): Promise<void> {
  const due = withStore(town, (s) => {
    const rows: Suspended[] = suspendedHooks(s) as Suspended[];
    return rows.flatMap((p) => {
      // Only escalations of this suspension (filed with it, in the same write): an older, closed one settles nothing.
      const since = new Date(Date.parse(suspensionOf(s, p).since) - 1000).toISOString();
      const escalations: Escalation[] = findLabelled(s, {
        label: 'escalation',
        metadata: { bead: p.bead, from: `${p.rig}/${p.name}` },
        createdSince: since,
      });
      if (escalations.length === 0 || escalations.some((e) => e.status !== 'closed')) return [];
      const resumed = s.write(() => {
        const n = markHookResumed(s, p.rig, p.name, p.bead) ? 1 : 0;
        if (n === 1)
          recordEvent(s, {
            kind: TOWN_EVENTS.daemon.resume,
            subject: p.bead,
            reason: `escalation ${escalations[0]!.id} closed: ${escalations[0]!.close_reason ?? 'no reason given'}`,
            data: { polecat: `${p.rig}/${p.name}`, escalation: escalations[0]!.id },
          });
        return n === 1;
      });
      return resumed ? [{ ...p, esc: escalations[0]! }] : [];
    });
  });
  const tmux = townTmux(town);
  for (const p of due) {
    const id = identityOf(town, { kind: 'polecat', rig: p.rig, name: p.name });
    // A dead session is the restart step's (the hook is working again); a live one is told the answer.
    if (!(await tmux.hasSession(id.session))) continue;
    await nudge(
      tmux,
      { runtimeDir: town.paths.runtime },
      {
        session: id.session,
        message: RESUME_NUDGE(p.esc.id, p.bead, p.esc.close_reason ?? 'no reason given'),
        mode: 'wait-idle',
        from: 'daemon',
      },
    );
  }
}
