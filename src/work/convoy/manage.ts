// Creating and changing convoys: a `convoy` bead in the town store with `tracks` edges to beads of any rig.
import { GtError, usageError, TOWN_EVENTS } from '../../kernel/index.ts';
import { addDependency, applyUpdate, closeBeads, insertBead, type Bead, type Store } from '../../beads/index.ts';
import { formatAddress, openTownStore, parseAddress, type TownContext } from '../../town/index.ts';
import { recordEvent } from './events.ts';
import { listConvoyBeads, readConvoyStatus, requireConvoy, requireTrackable, trackedIds } from './read.ts';
import { convoyMeta, type ConvoyStatus } from './status.ts';

export interface CreateConvoyInput {
  name: string;
  /** Beads to track (ids or unique prefixes, any rig). */
  beads?: readonly string[];
  /** Addresses mailed when the convoy lands (besides the owner). */
  notify?: readonly string[];
  /** Also tell the overseer: their inbox, and a bell or desktop notification where one is available. */
  human?: boolean;
  /** Who owns it (mailed when it lands); default: the actor. */
  owner?: string;
  /** The address acting (recorded in the event log); default overseer. */
  actor?: string;
  /**
   * Whether the daemon feeds it (slings its ready beads). Default: fed when created with beads (the Mayor's flow:
   * create and let it orchestrate), staged when created empty (the manual flow: add issues, sling them by hand).
   */
  fed?: boolean;
  /**
   * Made by `gt sling` for its work (a lone bead, or a batch), not by someone grouping work: `gt convoy add-issue`
   * and `gt convoy show` without an id pass over it while a convoy someone made is open.
   */
  bySling?: boolean;
}

export interface AddResult {
  convoy: ConvoyStatus;
  added: string[];
}

export function withTownStore<T>(town: TownContext, actor: string, fn: (store: Store) => T): T {
  const store = openTownStore(town, { actor });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n)
    throw usageError(
      'GT_BAD_CONVOY_NAME',
      'the convoy has no name',
      'name it, e.g. gt convoy create "Login flow" <bead>…',
    );
  if (n.startsWith('-')) {
    throw usageError(
      'GT_BAD_CONVOY_NAME',
      `"${n}" looks like an option, not a convoy name`,
      'name the convoy first, e.g. gt convoy create "Login flow" <bead>…; convoy names cannot start with "-"',
    );
  }
  return n;
}

function canonical(town: TownContext, address: string): string {
  return formatAddress(parseAddress(town, address));
}

/** Resolve every input first (one bad id changes nothing); duplicates in the input count once. */
function resolveAll(store: Store, inputs: readonly string[]): Bead[] {
  const seen = new Set<string>();
  return inputs.map((i) => requireTrackable(store, i)).filter((b) => !seen.has(b.id) && Boolean(seen.add(b.id)));
}

export function createConvoy(town: TownContext, input: CreateConvoyInput): ConvoyStatus {
  const name = checkName(input.name);
  const actor = input.actor ?? 'overseer';
  const owner = canonical(town, input.owner ?? actor);
  const notify = [...new Set((input.notify ?? []).map((a) => canonical(town, a)))];
  return withTownStore(town, actor, (store) =>
    store.write(() => {
      const beads = resolveAll(store, input.beads ?? []);
      const fed = input.fed ?? beads.length > 0;
      const convoy = insertBead(store, {
        title: name,
        type: 'convoy',
        metadata: { owner, notify, human: input.human === true, fed, ...(input.bySling ? { by_sling: true } : {}) },
      });
      for (const b of beads) addDependency(store, convoy.id, b.id, 'tracks');
      recordEvent(store, {
        actor,
        kind: TOWN_EVENTS.convoy.created,
        subject: convoy.id,
        reason: name,
        data: { beads: beads.map((b) => b.id), owner, notify, human: input.human === true, fed },
      });
      return readConvoyStatus(store, requireConvoy(store, convoy.id));
    }),
  );
}

/** Stage (tracked, not fed: its work is slung by hand) or launch (the daemon slings its ready beads) an open convoy. */
export function setConvoyFed(
  town: TownContext,
  convoyInput: string,
  fed: boolean,
  opts: { actor?: string } = {},
): ConvoyStatus & { changed: boolean } {
  const actor = opts.actor ?? 'overseer';
  return withTownStore(town, actor, (store) =>
    store.write(() => {
      const convoy = requireConvoy(store, convoyInput);
      requireOpen(convoy);
      const changed = convoyMeta(convoy).fed !== fed;
      if (changed) {
        patchMeta(store, convoy, { fed });
        recordEvent(store, {
          actor,
          kind: fed ? TOWN_EVENTS.convoy.launched : TOWN_EVENTS.convoy.staged,
          subject: convoy.id,
          reason: fed ? 'its ready beads are slung to their rigs' : 'tracked only; its work is slung by hand',
        });
      }
      return { ...readConvoyStatus(store, requireConvoy(store, convoy.id)), changed };
    }),
  );
}

/** Refuse a closed convoy, naming it and why it closed. */
export function requireOpen(convoy: Pick<Bead, 'id' | 'title' | 'status' | 'close_reason'>): void {
  if (convoy.status === 'closed') {
    throw new GtError(
      'GT_CONVOY_CLOSED',
      `convoy ${convoy.id} ("${convoy.title}") is closed${convoy.close_reason ? `: ${convoy.close_reason}` : ''}`,
      {
        kind: 'usage',
        hint: 'start a new convoy for more work: gt convoy create "<name>" <bead>…',
      },
    );
  }
}

/** Track more beads in an open convoy; a bead it already tracks is refused (nothing changes). */
export function addToConvoy(
  town: TownContext,
  convoyInput: string,
  beadInputs: readonly string[],
  opts: { actor?: string } = {},
): AddResult {
  const actor = opts.actor ?? 'overseer';
  if (beadInputs.length === 0)
    throw usageError(
      'GT_NO_BEADS',
      'no bead to add was given',
      'name one or more beads: gt convoy add <convoy> <bead>…',
    );
  return withTownStore(town, actor, (store) =>
    store.write(() => {
      const convoy = requireConvoy(store, convoyInput);
      requireOpen(convoy);
      const beads = resolveAll(store, beadInputs);
      const have = new Set(trackedIds(store, convoy.id));
      const dup = beads.find((b) => have.has(b.id));
      if (dup) {
        throw new GtError('GT_ALREADY_TRACKED', `convoy ${convoy.id} already tracks ${dup.id}`, {
          kind: 'usage',
          hint: `see what it tracks with gt convoy show ${convoy.id}`,
        });
      }
      for (const b of beads) addDependency(store, convoy.id, b.id, 'tracks');
      recordEvent(store, {
        actor,
        kind: TOWN_EVENTS.convoy.added,
        subject: convoy.id,
        data: { beads: beads.map((b) => b.id) },
      });
      return { convoy: readConvoyStatus(store, convoy), added: beads.map((b) => b.id) };
    }),
  );
}

/**
 * The most recently created open convoy someone made (the convoys gt sling makes for its work come last), or an
 * error saying how to make one.
 */
export function latestOpenConvoy(store: Store): Bead {
  const open = listConvoyBeads(store);
  const latest = open.find((c) => c.metadata?.by_sling !== true) ?? open[0];
  if (!latest)
    throw new GtError('GT_NO_OPEN_CONVOY', 'there is no open convoy', {
      kind: 'usage',
      hint: 'create one with gt convoy create "<name>" <bead>…',
    });
  return latest;
}

/** Track beads in the most recent open convoy. */
export function addIssue(town: TownContext, beadInputs: readonly string[], opts: { actor?: string } = {}): AddResult {
  const convoy = withTownStore(town, opts.actor ?? 'overseer', (store) => latestOpenConvoy(store));
  return addToConvoy(town, convoy.id, beadInputs, opts);
}

/** Close a convoy by hand (its owner is not mailed: only landing announces). */
export function closeConvoy(
  town: TownContext,
  convoyInput: string,
  opts: { reason?: string; actor?: string } = {},
): ConvoyStatus {
  const actor = opts.actor ?? 'overseer';
  return withTownStore(town, actor, (store) =>
    store.write(() => {
      const convoy = requireConvoy(store, convoyInput);
      requireOpen(convoy);
      const reason = opts.reason?.trim() || `closed by ${actor}`;
      closeBeads(store, [convoy.id], reason);
      recordEvent(store, { actor, kind: TOWN_EVENTS.convoy.closed, subject: convoy.id, reason });
      return readConvoyStatus(store, requireConvoy(store, convoy.id));
    }),
  );
}

/** Progress of open convoys (every convoy with `all`), newest first. */
export function listConvoys(town: TownContext, opts: { all?: boolean } = {}): ConvoyStatus[] {
  return withTownStore(town, 'overseer', (store) => {
    const now = Date.now();
    return listConvoyBeads(store, opts).map((c) => readConvoyStatus(store, c, now));
  });
}

/** One convoy's progress; without an id, the most recent open one. */
export function showConvoy(town: TownContext, convoyInput?: string): ConvoyStatus {
  return withTownStore(town, 'overseer', (store) =>
    readConvoyStatus(store, convoyInput ? requireConvoy(store, convoyInput) : latestOpenConvoy(store)),
  );
}

/** Mark a convoy's metadata (inside the caller's write), keeping owner, notify and human. */
export function patchMeta(store: Store, convoy: Bead, extra: Record<string, unknown>): void {
  applyUpdate(store, convoy.id, { metadata: { ...(convoy.metadata ?? {}), ...convoyMeta(convoy), ...extra } });
}
