// Every kind of event Gas Town records, in one list, with each town event's payload (`data`). Town events go to
// the town's log (`town_events`, src/town/events.ts), written by sling, done, hooks, convoys, the refinery, the
// daemon and costs, and read by `gt feed`, `gt status`, `gt hook` and the dashboard (which maps each domain to the
// panels it changes, src/dashboard/server/event-view.ts). Bead events go to each bead's own log (src/beads).
// Writers and readers name a kind through these objects, never as a bare string (test/event-kinds.test.ts).

export const TOWN_EVENTS = {
  sling: { hooked: 'sling.hooked', queued: 'sling.queued', refused: 'sling.refused', already: 'sling.already' },
  done: {
    completed: 'done.completed',
    noChanges: 'done.no-changes',
    local: 'done.local',
    escalated: 'done.escalated',
    deferred: 'done.deferred',
  },
  hook: { released: 'hook.released', suspended: 'hook.suspended', attached: 'hook.attached', resumed: 'hook.resumed' },
  /** A polecat's session stopped, started or the polecat removed by hand (src/work/hook/lifecycle.ts). */
  polecat: {
    stopped: 'polecat.stopped',
    started: 'polecat.started',
    nuked: 'polecat.nuked',
    moved: 'polecat.moved',
    staleStopped: 'polecat.stale-stopped',
  },
  /** `gt hooks repair`, one kind per repair (keyed as src/work/hook/repair.ts names them). */
  repair: {
    'pruned-worktree': 'repair.pruned-worktree',
    'recreated-worktree': 'repair.recreated-worktree',
    'cleared-lock': 'repair.cleared-lock',
    requeued: 'repair.requeued',
    'cleared-hook': 'repair.cleared-hook',
    'forgot-polecat': 'repair.forgot-polecat',
  },
  convoy: {
    created: 'convoy.created',
    added: 'convoy.added',
    closed: 'convoy.closed',
    landed: 'convoy.landed',
    announced: 'convoy.announced',
    launched: 'convoy.launched',
    staged: 'convoy.staged',
    /** Feeding a convoy's ready beads, one kind per decision. */
    feed: { slung: 'convoy.feed.slung', skipped: 'convoy.feed.skipped', failed: 'convoy.feed.failed' },
  },
  escalation: { filed: 'escalation' },
  handoff: { handedOff: 'handoff' },
  refinery: {
    merged: 'refinery.merged',
    failed: 'refinery.failed',
    requeued: 'refinery.requeued',
    blocked: 'refinery.blocked',
    resynced: 'refinery.resynced',
    delivered: 'refinery.delivered',
    deliverFailed: 'refinery.deliver-failed',
    pushFailed: 'refinery.push-failed',
    retry: 'refinery.retry',
    rejected: 'refinery.rejected',
    slingFailed: 'refinery.sling-failed',
    /** Merge strategy `pr`: the pull request that carries a merge request (src/refinery/pr.ts). */
    prOpened: 'refinery.pr-opened',
    prHeadMoved: 'refinery.pr-head-moved',
    prAutoMerge: 'refinery.pr-auto-merge',
    prQueued: 'refinery.pr-queued',
    prClosed: 'refinery.pr-closed',
    prBlocked: 'refinery.pr-blocked',
    /** The rig's origin as the refinery found it before a run (keyed by that state). */
    origin: {
      unreachable: 'refinery.origin-unreachable',
      diverged: 'refinery.origin-diverged',
      'fast-forwarded': 'refinery.origin-fast-forwarded',
    },
  },
  daemon: {
    start: 'daemon.start',
    stop: 'daemon.stop',
    unwired: 'daemon.unwired',
    error: 'daemon.error',
    snapshot: 'daemon.snapshot',
    restart: 'daemon.restart',
    restartCap: 'daemon.restart-cap',
    crewRestart: 'daemon.crew-restart',
    crewRestartCap: 'daemon.crew-restart-cap',
    stuckEscalate: 'daemon.stuck-escalate',
    nudge: 'daemon.nudge',
    reap: 'daemon.reap',
    resume: 'daemon.resume',
    settingsReadable: 'daemon.settings-readable',
    settingsUnreadable: 'daemon.settings-unreadable',
  },
  costs: { budgetReached: 'costs.budget-reached', budgetMailFailed: 'costs.budget-mail-failed' },
  /** An agent's runtime reported a new session id (its session-start hook): the sessions gt seance lists. */
  session: { recorded: 'session.recorded' },
} as const;

/** The first part of a kind (`sling`, `refinery`, …): what the dashboard and `gt feed --kind` group by. */
export type TownEventDomain = keyof typeof TOWN_EVENTS;

type Leaves<T> = T extends string ? T : { [K in keyof T]: Leaves<T[K]> }[keyof T];
export type TownEventKind = Leaves<typeof TOWN_EVENTS>;

const E = TOWN_EVENTS;
type Branch = { branch: string; head: string };

/** The `data` each kind carries (`undefined`: none). */
export type TownEventData = WithData & Record<Leaves<typeof E.repair> | Leaves<typeof E.refinery.origin>, undefined>;

interface WithData {
  [E.sling.hooked]: { polecat: string; fromQueue: boolean };
  [E.sling.queued]: { rig: string; updated?: string[] };
  [E.sling.refused]: undefined;
  [E.sling.already]: undefined;
  [E.done.completed]: Branch & { mr: string; commits: number; superseded: string[] };
  [E.done.noChanges]: Branch;
  [E.done.local]: Branch & { commits: number };
  [E.done.escalated]: Branch;
  [E.done.deferred]: Branch;
  [E.hook.released]: { polecat?: string | null; address?: string };
  [E.hook.suspended]: undefined;
  [E.hook.attached]: { polecat: string | null; address: string };
  [E.hook.resumed]: { polecat: string };
  [E.polecat.stopped]: { session: string; snapshot: unknown };
  [E.polecat.started]: { bead: string; agent: string; status: string };
  [E.polecat.nuked]: { snapshot: unknown; saved: unknown; released: unknown };
  [E.session.recorded]: { session_id: string; runtime: string | null; bead: string | null; workdir: string | null };
  /** Its SSH host was lost: the hook moved to this machine from the branch's last pushed commit (docs/hosts.md). */
  [E.polecat.moved]: { from_host: string; to: string; head: string | null };
  /** A session left on a host that came back, for an agent no longer placed there. */
  [E.polecat.staleStopped]: { host: string; session: string };
  [E.convoy.created]: { beads: string[]; owner: string; notify: string[]; human: boolean; fed?: boolean };
  [E.convoy.launched]: undefined;
  [E.convoy.staged]: undefined;
  [E.convoy.added]: { beads: string[] };
  [E.convoy.closed]: undefined;
  [E.convoy.landed]: { owner: string; notify: string[]; human: boolean };
  [E.convoy.announced]: { mailed: string[]; errors: string[]; alerted?: unknown };
  [E.convoy.feed.slung]: ConvoyFeedData;
  [E.convoy.feed.skipped]: ConvoyFeedData;
  [E.convoy.feed.failed]: ConvoyFeedData;
  [E.escalation.filed]: { bead: string; severity: string };
  [E.handoff.handedOff]: { hooked: unknown };
  [E.refinery.merged]: { mr: string; commit: string; branch: string };
  [E.refinery.failed]: { mr: string; rework_bead: string; kind: string; reused?: boolean };
  [E.refinery.requeued]: { mr: string };
  [E.refinery.blocked]: { ours?: string | undefined; theirs?: string | undefined };
  [E.refinery.resynced]: {
    state: string;
    from?: string | undefined;
    to?: string | undefined;
    kept?: string | undefined;
  };
  [E.refinery.delivered]: { commit: string; ref: string; target: string };
  [E.refinery.deliverFailed]: { commit: string; target: string };
  [E.refinery.pushFailed]: { mrs: string[] } | { mr: string; branch: string };
  [E.refinery.prOpened]: { mr: string; pr: number; url: string; branch: string };
  [E.refinery.prHeadMoved]: { pr: number };
  [E.refinery.prAutoMerge]: { pr: number };
  [E.refinery.prQueued]: { pr: number };
  [E.refinery.prClosed]: { mr: string; pr: number; url: string };
  [E.refinery.prBlocked]: undefined;
  [E.refinery.retry]: { mr: string };
  [E.refinery.rejected]: { mr: string };
  [E.refinery.slingFailed]: undefined;
  [E.daemon.start]: undefined;
  [E.daemon.stop]: { ticks: number };
  [E.daemon.unwired]: undefined;
  [E.daemon.error]: undefined;
  [E.daemon.snapshot]: { ref: string | null };
  [E.daemon.restart]: { polecat: string; attempt: number; session: string; agent: string; pinned: boolean };
  [E.daemon.restartCap]: { polecat: string; restarts: number };
  [E.daemon.crewRestart]: { attempt: number; session: string; agent: string };
  [E.daemon.crewRestartCap]: { restarts: number };
  [E.daemon.stuckEscalate]: { polecat: string };
  [E.daemon.nudge]: { polecat: string; result: string; detail?: string };
  [E.daemon.reap]: { session: string };
  [E.daemon.resume]: { polecat: string; escalation: string };
  [E.daemon.settingsReadable]: undefined;
  [E.daemon.settingsUnreadable]: undefined;
  [E.costs.budgetReached]: { scope: string; subject: string; spent_usd: number; limit_usd: number };
  [E.costs.budgetMailFailed]: undefined;
}

interface ConvoyFeedData {
  convoy: string;
  rig: string | null;
  status?: string | undefined;
  polecat?: string | undefined;
}

// Every kind has a payload entry and every entry is a kind: a kind added to one and not the other fails typecheck.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _complete: Same<TownEventKind, keyof TownEventData> = true;
void _complete;

/** Every town event kind, in list order. */
export const TOWN_EVENT_KINDS: readonly TownEventKind[] = (function flat(o: object): string[] {
  return Object.values(o).flatMap((v: unknown) => (typeof v === 'string' ? [v] : flat(v as object)));
})(TOWN_EVENTS) as TownEventKind[];

export function isTownEventKind(kind: string): kind is TownEventKind {
  return (TOWN_EVENT_KINDS as readonly string[]).includes(kind);
}

/** The domain of a kind as stored (an unknown kind, e.g. from a newer gt, has none). */
export function townEventDomain(kind: string): TownEventDomain | undefined {
  return isTownEventKind(kind) ? (kind.split('.')[0] as TownEventDomain) : undefined;
}

/** The kinds of a bead's own event log (src/beads: `bd show`, the ledger's history). */
export const BEAD_EVENTS = {
  created: 'created',
  imported: 'imported',
  updated: 'updated',
  statusChanged: 'status_changed',
  claimed: 'claimed',
  closed: 'closed',
  reopened: 'reopened',
  deleted: 'deleted',
  renamed: 'renamed',
  shelved: 'shelved',
  commented: 'commented',
  dependencyAdded: 'dependency_added',
  dependencyRemoved: 'dependency_removed',
  labelAdded: 'label_added',
  labelRemoved: 'label_removed',
  parentChanged: 'parent',
} as const;
export type BeadEventKind = (typeof BEAD_EVENTS)[keyof typeof BEAD_EVENTS];
