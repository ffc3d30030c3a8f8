// Attribution, pure: whose usage a record is (agent address, rig), on which bead (what was on the agent's hook at
// that moment) and under which convoy (the convoy tracking that bead).
import type { UsageRecord } from './transcript.ts';

/** What the town knows, read once by the shell. */
export interface AttributionFacts {
  /** Runtime session id → agent address (the agents table, and transcripts read before). */
  sessions: ReadonlyMap<string, string>;
  /** Agents' working directories (absolute) → address; a cwd inside one belongs to it. */
  workdirs: readonly { dir: string; address: string }[];
  /** Address → beads hooked to it over time, oldest first (`sling.hooked` events). */
  hooks: ReadonlyMap<string, readonly { at: string; bead: string }[]>;
  /** Address → the bead on its hook now (agents.hooked_bead), for agents with no hook history. */
  hooked: ReadonlyMap<string, string>;
  /** Bead → the convoy tracking it. */
  convoys: ReadonlyMap<string, string>;
}

export interface Attribution {
  address: string | null;
  rig: string | null;
  bead: string | null;
  convoy: string | null;
}

/** The agent a session belongs to: the address the hook ran as, else the session id, else the working directory. */
export function addressFor(
  facts: AttributionFacts,
  o: { address?: string | undefined; sessionId?: string | null; cwd?: string | null },
): string | null {
  if (o.address) return o.address;
  if (o.sessionId && facts.sessions.has(o.sessionId)) return facts.sessions.get(o.sessionId)!;
  if (o.cwd) {
    let best: { dir: string; address: string } | undefined;
    for (const w of facts.workdirs) {
      const inside = o.cwd === w.dir || o.cwd.startsWith(w.dir.endsWith('/') ? w.dir : `${w.dir}/`);
      if (inside && (!best || w.dir.length > best.dir.length)) best = w;
    }
    if (best) return best.address;
  }
  return null;
}

/** The bead hooked last at or before `at` (ISO times compare as text); undefined before the first hook. */
export function beadAt(history: readonly { at: string; bead: string }[], at: string): string | undefined {
  let found: string | undefined;
  for (const h of history) {
    if (h.at > at) break;
    found = h.bead;
  }
  return found;
}

/** The rig of an address (`<rig>/…`); none for the Mayor and the overseer. */
export function rigOf(address: string | null): string | null {
  if (!address || !address.includes('/')) return null;
  return address.split('/')[0] || null;
}

export function attribute(facts: AttributionFacts, address: string | null, rec: Pick<UsageRecord, 'at'>): Attribution {
  if (!address) return { address: null, rig: null, bead: null, convoy: null };
  const history = facts.hooks.get(address) ?? [];
  const bead = beadAt(history, rec.at) ?? (history.length === 0 ? facts.hooked.get(address) : undefined) ?? null;
  return { address, rig: rigOf(address), bead, convoy: bead ? (facts.convoys.get(bead) ?? null) : null };
}
