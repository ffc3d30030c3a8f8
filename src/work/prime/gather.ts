// Everything `gt prime` shows, read from the town store in one pass: the hook, its steps, a handoff, unread mail.
import { getDetails, latestAssigned, moleculeSteps, type Bead, type Comment, type Store } from '../../beads/index.ts';
import { formatAddress, openTownStore, type AgentAddress, type TownContext } from '../../town/index.ts';
import { unreadFor, type Mail } from '../mail/index.ts';
import { hookedBeadOf } from '../sessions/hook.ts';
import { getAgent } from '../../agents/table.ts';
import type { DetectedRole } from './role.ts';

export interface PrimeStep {
  id: string;
  title: string;
  done: boolean;
  depth: number;
}

export interface PrimeContext {
  town: string;
  role: DetectedRole;
  hooked?: Bead & { comments: Comment[] };
  /** The hooked work's steps (a molecule's steps, or the bead's children), in order. */
  steps: PrimeStep[];
  handoff?: Mail;
  mail: Mail[];
  rigs: string[];
}

export function gatherPrime(town: TownContext, role: DetectedRole, rigs: readonly string[]): PrimeContext {
  const store = openTownStore(town);
  try {
    const address = formatAddress(role.address);
    const hookId =
      hookedBeadOf(store, { address, hooked_bead: agentHook(store, address) }) ?? inProgressOf(store, address);
    const hooked = hookId ? getDetails(store.db, hookId) : undefined;
    const mail = isMailbox(role.address) ? unreadFor(store, role.address) : [];
    const handoff = mail.find((m) => m.type === 'handoff' && m.from === address);
    return {
      town: town.meta.name,
      role,
      ...(hooked ? { hooked: { ...hooked, comments: hooked.comments } } : {}),
      steps: hooked ? stepsOf(store, hooked) : [],
      ...(handoff ? { handoff } : {}),
      mail: mail.filter((m) => m !== handoff),
      rigs: [...rigs],
    };
  } finally {
    store.close();
  }
}

function isMailbox(a: AgentAddress): boolean {
  return a.kind !== 'rig';
}

function agentHook(store: Store, address: string): string | null {
  return getAgent(store, address)?.hooked_bead ?? null;
}

/** An interrupted session's work: a bead in progress assigned to the agent. */
function inProgressOf(store: Store, address: string): string | null {
  return latestAssigned(store, address, 'in_progress');
}

/** A molecule's steps: the hooked bead itself if it is one, the molecule its metadata names, else its children. */
function stepsOf(store: Store, bead: Bead): PrimeStep[] {
  const mol =
    bead.type === 'molecule' ? bead.id : typeof bead.metadata?.molecule === 'string' ? bead.metadata.molecule : bead.id;
  try {
    return moleculeSteps(store, mol).map((s) => ({
      id: s.id,
      title: s.title,
      done: s.status === 'closed',
      depth: s.depth,
    }));
  } catch {
    return [];
  }
}
