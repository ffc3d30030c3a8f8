// Bringing a rig repository's own Beads ledger into the town store when the rig is added.
import { parse } from 'smol-toml';
import { getBead, importBeads, parseLedger, Store } from '../beads/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { TownContext } from './context.ts';

export interface RigBeadsImport {
  /** Beads in the repository's ledger (well-formed lines). */
  found: number;
  imported: number;
  /** Ids already in the town store: the town's copy was kept. */
  kept_existing: string[];
  /** Beads whose id prefix is not the rig's, by prefix: imported under their own ids. */
  other_prefixes: Record<string, number>;
  /** Ledger lines that could not be read (line number and reason); they were skipped. */
  problems: { line: number; message: string }[];
}

/** The prefix a repository's `.beads/config.toml` declares, if it declares a usable one. */
export function ledgerPrefixOf(configToml: string | undefined): string | undefined {
  if (!configToml) return undefined;
  try {
    const p = parse(configToml).prefix;
    return typeof p === 'string' && /^[a-z][a-z0-9]{0,15}$/.test(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export function openTownStore(town: TownContext, opts: { actor?: string; clock?: Clock } = {}): Store {
  return Store.open(
    { dir: town.paths.beads, root: town.root, kind: 'town' },
    { env: town.env, ...(opts.actor ? { actor: opts.actor } : {}), ...(opts.clock ? { clock: opts.clock } : {}) },
  );
}

/**
 * Import the beads of `ledger` (a rig repository's `.beads/issues.jsonl`). Ids keep their form: those with the
 * rig's prefix are the rig's; others are reported and imported as they are. Ids the town already holds are left alone.
 */
export function importRigLedger(town: TownContext, ledger: string, rigPrefix: string): RigBeadsImport {
  const { beads, problems } = parseLedger(ledger);
  const other_prefixes: Record<string, number> = {};
  for (const b of beads) {
    const p = b.id.slice(0, b.id.indexOf('-'));
    if (p !== rigPrefix) other_prefixes[p] = (other_prefixes[p] ?? 0) + 1;
  }
  const store = openTownStore(town, { actor: 'gt rig add' });
  try {
    return store.write(() => {
      const kept_existing = beads.filter((b) => getBead(store.db, b.id, { includeDeleted: true })).map((b) => b.id);
      const skip = new Set(kept_existing);
      const r = importBeads(
        store,
        beads.filter((b) => !skip.has(b.id)),
      );
      return { found: beads.length, imported: r.created + r.updated, kept_existing, other_prefixes, problems };
    });
  } finally {
    store.close();
  }
}
