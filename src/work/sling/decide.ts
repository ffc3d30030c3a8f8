// Sling decisions as pure functions: may this bead be hooked to this target, and is there a free slot for it?
import type { Status } from '../../beads/index.ts';

export interface BeadView {
  id: string;
  status: Status;
  assignee: string | null;
  type: string;
}

export interface SlingTarget {
  rig: string;
  /** A named polecat (`<rig>/<polecat>`); absent: any polecat of the rig. */
  polecat?: string;
}

export type ClaimDecision =
  | { action: 'claim' }
  | { action: 'already'; holder: string }
  | { action: 'take-over'; from: string }
  | { action: 'refuse'; reason: string; hint: string };

/** Whether `holder` (an assignee) is the target: the same polecat, or any polecat of the target rig. */
export function isSameTarget(holder: string, t: SlingTarget): boolean {
  if (t.polecat !== undefined) return holder === `${t.rig}/${t.polecat}`;
  const parts = holder.split('/');
  return parts.length === 2 && parts[0] === t.rig && !['refinery', 'witness', ''].includes(parts[1]!);
}

/** The claim rule: open work is claimed; held work is "already" for its own target, taken over only with force. */
export function decideClaim(bead: BeadView, target: SlingTarget, force: boolean): ClaimDecision {
  if (bead.status === 'closed')
    return {
      action: 'refuse',
      reason: `${bead.id} is closed`,
      hint: `reopen it first (bd reopen ${bead.id}) if there is more to do`,
    };
  if (bead.type === 'convoy')
    return {
      action: 'refuse',
      reason: `${bead.id} is a convoy, not work`,
      hint: `sling the beads it tracks (gt convoy show ${bead.id})`,
    };
  if ((bead.status === 'deferred' || bead.status === 'pinned') && !force) {
    return {
      action: 'refuse',
      reason: `${bead.id} is ${bead.status}`,
      hint: `set it open first (bd update ${bead.id} --status open)`,
    };
  }
  const holder = bead.assignee ?? '';
  if (holder === '') return { action: 'claim' };
  const held = bead.status === 'hooked' || bead.status === 'in_progress';
  if (held && isSameTarget(holder, target)) return { action: 'already', holder };
  if (force) return { action: 'take-over', from: holder };
  const what =
    bead.status === 'hooked' ? 'already hooked by' : bead.status === 'in_progress' ? 'in progress by' : 'assigned to';
  return {
    action: 'refuse',
    reason: `${bead.id} is ${what} ${holder}`,
    hint: `release it first with gt unsling ${bead.id}, or sling it with the force option to move it`,
  };
}

/** The town's own records, never work for a rig's polecat: mail, agent beads, merge requests, gates, events. */
const TOWN_RECORD_TYPES: Readonly<Record<string, string>> = {
  message: 'a mail message',
  agent: 'an agent bead',
  'merge-request': 'a merge request',
  gate: 'a gate',
  event: 'an event',
};

/**
 * A town-level bead slung to a rig: Gas Town routes beads by prefix, and the town's own (hq-) are not a rig's work
 * (mail, agent beads, merge requests, gates, events, escalations, convoys, the Mayor's planning); rig work is filed
 * with its rig's prefix (`bd create --rig <rig>`, or in the rig's directory). Records of those types are refused
 * whatever their prefix. `--force` slings one anyway. Undefined when the bead is work for a rig.
 */
export function townLevelRefusal(
  bead: BeadView & { labels?: readonly string[] },
  rig: string,
  townPrefix: string,
): { reason: string; hint: string } | undefined {
  const what = TOWN_RECORD_TYPES[bead.type] ?? (bead.labels?.includes('escalation') ? 'an escalation' : undefined);
  if (what !== undefined)
    return {
      reason: `${bead.id} is ${what}, a town-level record, not work for rig ${rig}`,
      hint: `file the work as a bead of its own (bd create "<title>" --rig ${rig} --deps discovered-from:${bead.id}) and sling that, or sling it with the force option to hook this one`,
    };
  if (!bead.id.startsWith(`${townPrefix}-`)) return undefined;
  return {
    reason: `${bead.id} is a town-level bead (prefix ${townPrefix}-), not work for rig ${rig}`,
    hint: `file rig work with the rig's prefix: bd create "<title>" --rig ${rig} (or run bd create in the rig's directory); to hook this bead anyway, sling it with the force option`,
  };
}

export interface Caps {
  polecats_per_rig: number;
  polecats_per_town: number;
}

/** A free slot under the caps, or why there is none. */
export function decideSlot(
  working: { rig: number; town: number },
  caps: Caps,
  rig: string,
): { free: true } | { free: false; reason: string } {
  if (working.rig >= caps.polecats_per_rig)
    return { free: false, reason: `rig ${rig} has ${working.rig} working polecats (cap ${caps.polecats_per_rig})` };
  if (working.town >= caps.polecats_per_town)
    return { free: false, reason: `the town has ${working.town} working polecats (cap ${caps.polecats_per_town})` };
  return { free: true };
}
