// Convoy progress as a pure function: from the convoy bead, its tracked beads, their merge requests and the
// polecats holding them, each tracked bead's state, worker and age, and whether the convoy has landed.
import type { Bead } from '../../beads/index.ts';

/** What a tracked bead is waiting for, in the order work moves. Landed = merged or landed-no-code. */
export const TRACKED_STATES = ['queued', 'working', 'merge-pending', 'failed', 'merged', 'landed-no-code'] as const;
export type TrackedState = (typeof TRACKED_STATES)[number];

/** The columns of a `merge_requests` row that progress needs. */
export interface MergeRequestRow {
  id: string;
  bead: string;
  polecat: string | null;
  rig: string;
  status: string;
  failure: string | null;
  rework_bead: string | null;
  created_at: string;
  updated_at: string;
}

/** The columns of a `polecats` row that progress needs. */
export interface PolecatRow {
  rig: string;
  name: string;
  bead: string | null;
  state: string;
  updated_at: string;
}

/** Owner, notify addresses and the --human flag, kept in the convoy bead's metadata. */
export interface ConvoyMeta {
  owner: string;
  notify: string[];
  human: boolean;
  /**
   * Launched: the daemon slings its ready beads to their rigs. Staged (false): tracked only, work is slung by hand
   * (gt convoy launch feeds it). Missing in older convoys: launched.
   */
  fed: boolean;
}

export interface TrackedView {
  id: string;
  title: string;
  status: Bead['status'];
  state: TrackedState;
  /** Who holds the work: the polecat (`<rig>/<name>`), the assignee, or the reworking agent. */
  worker: string | null;
  /** When the bead entered its current state (ISO), and how long ago that is in seconds. */
  since: string;
  age_s: number;
  /** The merge request that decides the state, if any. */
  merge_request: string | null;
  /** Why: the merge failure, the rework bead, the close reason. */
  detail: string | null;
}

export interface ConvoyStatus {
  id: string;
  title: string;
  status: Bead['status'];
  owner: string;
  notify: string[];
  human: boolean;
  /** See ConvoyMeta.fed. */
  fed: boolean;
  created_at: string;
  closed_at: string | null;
  close_reason: string | null;
  tracked: TrackedView[];
  /** Landed beads (merged or closed without code) out of all tracked ones. */
  landed: number;
  total: number;
  /** Every tracked bead has landed, and there is at least one. */
  complete: boolean;
  counts: Record<TrackedState, number>;
}

export function isLanded(s: TrackedState): boolean {
  return s === 'merged' || s === 'landed-no-code';
}

/** Owner, notify and human from a convoy bead's metadata, with safe defaults for anything missing or malformed. */
export function convoyMeta(convoy: Pick<Bead, 'metadata' | 'created_by'>): ConvoyMeta {
  const m = convoy.metadata ?? {};
  const notify = Array.isArray(m.notify) ? m.notify.filter((x): x is string => typeof x === 'string') : [];
  return {
    owner: typeof m.owner === 'string' && m.owner ? m.owner : convoy.created_by,
    notify,
    human: m.human === true,
    fed: m.fed !== false,
  };
}

const ACTIVE_MR = new Set(['queued', 'running']);
const FAILED_MR = new Set(['failed', 'rejected']);

/** The merge request that speaks for a bead: its newest one (by creation, then last change). */
function latestMr(mrs: readonly MergeRequestRow[]): MergeRequestRow | undefined {
  return [...mrs].sort(
    (a, b) => b.created_at.localeCompare(a.created_at) || b.updated_at.localeCompare(a.updated_at),
  )[0];
}

interface StateOf {
  state: TrackedState;
  worker: string | null;
  since: string;
  mr: MergeRequestRow | undefined;
  detail: string | null;
}

/**
 * One bead's state. Closed decides first (the refinery closes with "merged <commit>", anything else landed without
 * code); then a queued or running merge request; then a failed one, which counts as working again while its rework
 * bead is still open (the fix is under way), and as failed once nobody is on it; then hooked/in progress; else queued.
 */
export function trackedState(
  bead: Bead,
  mrs: readonly MergeRequestRow[],
  polecats: readonly PolecatRow[],
  reworks: ReadonlyMap<string, Bead>,
): StateOf {
  const polecat = polecats.find((p) => p.bead === bead.id);
  const holder = polecat ? `${polecat.rig}/${polecat.name}` : (bead.assignee ?? null);
  const mr = latestMr(mrs.filter((m) => m.bead === bead.id));
  if (bead.status === 'closed') {
    const merged = (bead.close_reason ?? '').toLowerCase().startsWith('merged');
    return {
      state: merged ? 'merged' : 'landed-no-code',
      worker: holder,
      since: bead.closed_at ?? bead.updated_at,
      mr: merged ? mr : undefined,
      detail: bead.close_reason,
    };
  }
  if (mr && ACTIVE_MR.has(mr.status)) {
    return {
      state: 'merge-pending',
      worker: mr.polecat ? `${mr.rig}/${mr.polecat}` : holder,
      since: mr.created_at,
      mr,
      detail: `merge request ${mr.status}`,
    };
  }
  if (mr && FAILED_MR.has(mr.status)) {
    const rework = mr.rework_bead ? reworks.get(mr.rework_bead) : undefined;
    if (rework && rework.status !== 'closed') {
      return {
        state: 'working',
        worker: rework.assignee ?? holder,
        since: rework.updated_at,
        mr,
        detail: `rework ${rework.id}`,
      };
    }
    return {
      state: 'failed',
      worker: holder,
      since: mr.updated_at,
      mr,
      detail: mr.failure ?? `merge request ${mr.status}`,
    };
  }
  if (bead.status === 'hooked' || bead.status === 'in_progress') {
    return {
      state: 'working',
      worker: holder,
      since: polecat?.updated_at ?? bead.updated_at,
      mr: undefined,
      detail: null,
    };
  }
  return {
    state: 'queued',
    worker: holder,
    since: bead.created_at,
    mr: undefined,
    detail: bead.status === 'open' ? null : bead.status,
  };
}

export interface ConvoyInputs {
  convoy: Bead;
  /** The tracked beads (any rig), in the order to show them. */
  tracked: readonly Bead[];
  mergeRequests: readonly MergeRequestRow[];
  polecats: readonly PolecatRow[];
  /** Rework beads named by failed merge requests, by id. */
  reworks?: ReadonlyMap<string, Bead>;
  /** The time ages are measured to (ms since the epoch). */
  now: number;
}

export function convoyStatus(i: ConvoyInputs): ConvoyStatus {
  const counts = Object.fromEntries(TRACKED_STATES.map((s) => [s, 0])) as Record<TrackedState, number>;
  const tracked = i.tracked.map((b): TrackedView => {
    const s = trackedState(b, i.mergeRequests, i.polecats, i.reworks ?? new Map());
    counts[s.state]++;
    return {
      id: b.id,
      title: b.title,
      status: b.status,
      state: s.state,
      worker: s.worker,
      since: s.since,
      age_s: Math.max(0, Math.floor((i.now - Date.parse(s.since)) / 1000)),
      merge_request: s.mr?.id ?? null,
      detail: s.detail,
    };
  });
  const landed = counts.merged + counts['landed-no-code'];
  const meta = convoyMeta(i.convoy);
  return {
    id: i.convoy.id,
    title: i.convoy.title,
    status: i.convoy.status,
    ...meta,
    created_at: i.convoy.created_at,
    closed_at: i.convoy.closed_at,
    close_reason: i.convoy.close_reason,
    tracked,
    landed,
    total: tracked.length,
    complete: tracked.length > 0 && landed === tracked.length,
    counts,
  };
}

/** A text progress bar: `[#####-----] 3/6`. */
export function progressBar(landed: number, total: number, width = 20): string {
  const filled = total === 0 ? 0 : Math.round((landed / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${landed}/${total}`;
}

/** A short human age: 45s, 12m, 3h, 2d. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
