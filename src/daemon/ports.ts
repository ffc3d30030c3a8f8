// What the tick calls in other modules (docs/work-loop.md), as a small port so tests can stand in for any of them.
// A missing entry is a step not wired: the tick records that once and goes on.
import type { TownContext } from '../town/index.ts';
import { processQueue } from '../refinery/index.ts';
import { checkConvoys, feedConvoys } from '../work/convoy/index.ts';
import { escalate } from '../work/escalate.ts';
import { sendMail } from '../work/mail/index.ts';
import { snapshotWorktree } from '../work/hook/index.ts';
import { drainSlingQueue, sling } from '../work/sling/index.ts';
import { costsStep } from '../costs/index.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface TickPorts {
  processQueue?: (town: TownContext, rig: string) => unknown;
  checkConvoys?: (town: TownContext) => unknown;
  feedConvoys?: (town: TownContext) => unknown;
  drainSlingQueue?: (town: TownContext) => unknown;
  /** A result `{ status: 'unchanged' }` means nothing new was saved (no event is recorded for it). */
  snapshotWorktree?: (town: TownContext, rig: string, polecat: string) => unknown;
  /** Sweep agents' transcripts into the usage table and tell people about reached budgets (src/costs). */
  recordCosts?: (town: TownContext) => unknown;
  /** `bead`: the work the escalation is about (linked to the escalation bead). */
  escalate: (town: TownContext, from: string, message: string, severity: Severity, bead?: string) => unknown;
}

/** The ports the running daemon uses: the real modules. */
export function defaultPorts(): TickPorts {
  return {
    processQueue: (town, rig) => processQueue(town, rig),
    checkConvoys: (town) => checkConvoys(town),
    feedConvoys: (town) => feedConvoys(town, { sling }),
    drainSlingQueue: (town) => drainSlingQueue(town),
    snapshotWorktree: (town, rig, polecat) => snapshotWorktree(town, rig, polecat),
    recordCosts: (town) => costsStep(town, sendMail),
    // A bead deleted meanwhile must not swallow the escalation: it is sent unlinked then.
    escalate: (town, from, message, severity, bead) =>
      escalate(town, from, message, severity, bead ? { bead } : {}).catch(() =>
        escalate(town, from, message, severity),
      ),
  };
}
