// The shapes of a sling: what is asked, what each bead's outcome is, and what a claimed bead carries to its start.
import type { Polecat } from '../polecats/index.ts';

export type MergeMode = 'mr' | 'direct' | 'local';

export interface SlingRequest {
  /** Bead ids (any unique start), or one formula name to pour. */
  beads: string[];
  /** `<rig>` or `<rig>/<polecat>`. */
  target: string;
  agent?: string;
  /** Added to the agent's first prompt. */
  message?: string;
  merge?: MergeMode;
  noConvoy?: boolean;
  dryRun?: boolean;
  force?: boolean;
  /** Branch or commit new branches start from (default: the rig's default branch). */
  base?: string;
  /** Formula variables (`--var k=v`) when slinging a formula. */
  vars?: Record<string, string>;
  /** Who asks (events); default the store's actor. */
  actor?: string;
  /**
   * Run the polecat on this SSH host (docs/hosts.md): a new polecat each time, its workspace cloned there; `local`:
   * on this machine. Without it, a town with hosts places each polecat (placement by the town).
   */
  host?: string;
}

/**
 * started: hooked and its agent runs; hooked: on the hook, but its agent did not start (the daemon retries it);
 * resumed: it was on this target's suspended or stopped hook, which works again; queued: waiting (see `waiting`);
 * already: on this target's hook and at work; refused: nothing changed (see `reason`).
 */
export type SlingStatus = 'started' | 'hooked' | 'resumed' | 'queued' | 'already' | 'refused';

/** What a queued sling waits for: a free slot under the caps, its named polecat, or room in a budget. */
export type SlingWait = 'slot' | 'polecat' | 'budget';

export interface SlingOutcome {
  bead: string;
  status: SlingStatus;
  /** `<rig>/<polecat>` that holds it (started, already). */
  polecat?: string;
  reason?: string;
  hint?: string;
  /** Set for queued: what it waits for. */
  waiting?: SlingWait;
  branch?: string;
  worktree?: string;
  session?: string;
  /** Set for a dry run: what would have happened. */
  dryRun?: boolean;
  /** The SSH host it runs on (started, hooked). */
  host?: string;
  /** Where the town placed it and why (no --host given, the town has hosts). */
  placement?: string;
  elapsedMs?: number;
}

export interface SlingResult {
  target: string;
  results: SlingOutcome[];
  /** The convoy this sling made to track its work (a batch's, or a lone bead's "Work: <title>"). */
  convoy?: string;
  /** Beads of the queue that got a slot on the way. */
  drained: SlingOutcome[];
  /** A formula slung by name: the molecule poured for it, or (`reused`) the waiting one already poured. */
  formula?: { name: string; molecule: string; reused?: boolean };
}

/**
 * Options a queued sling keeps for when it is drained. `agent` is only the `--agent` pin: without one, each start
 * (and the daemon's restarts) use the rig's polecat agent of that moment, so `polecats.agent` and the queue's
 * `agent` stay NULL.
 */
export type Kept = Pick<SlingRequest, 'agent' | 'message' | 'merge' | 'base' | 'actor' | 'host'>;

/** A sling_queue row's options: what the sling kept, and the polecat it named (`<rig>/<polecat>`), if any. */
export type Queued = Kept & { polecat?: string };

export type Claimed =
  { kind: 'done'; outcome: SlingOutcome } | { kind: 'claimed'; bead: string; polecat: Polecat; fresh: boolean };

/** A sling's outcome, or the start of its agent still to run (the bead is hooked and its worktree ready). */
export type Step = SlingOutcome | (() => Promise<SlingOutcome>);
