// A ledger git left mid-merge is never read as the whole truth: conflict markers or unmerged index entries stop bd.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { GtError } from '../kernel/index.ts';
import { isUnmerged } from '../git/index.ts';
import type { Store } from './store.ts';
import { ledgerInSync } from './ledger-sync.ts';

const INDEX_KEY = 'git_index_stat';
const MARKER = /^(<{7}|={7}|>{7}|\|{7})/;

/** 1-based numbers of the lines of `text` that are git conflict markers. */
export function markerLines(text: string): number[] {
  if (!text.includes('<<<<<<<') && !text.includes('>>>>>>>')) return [];
  return text.split('\n').flatMap((l, i) => (MARKER.test(l) ? [i + 1] : []));
}

/** The `.git` directory (or a worktree's git dir) of the repository holding `dir`, without running git. */
export function gitDirOf(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    try {
      const st = statSync(dotGit);
      if (st.isDirectory()) return dotGit;
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return isAbsolute(m[1]!.trim()) ? m[1]!.trim() : join(d, m[1]!.trim());
    } catch {
      // no .git here
    }
    if (dirname(d) === d) return undefined;
  }
}

function statKey(path: string): string | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** True when git holds the ledger as unmerged (a merge, rebase, cherry-pick or stash pop stopped on it). */
export function ledgerUnmerged(store: Store): boolean {
  return isUnmerged(store.loc.dir, store.ledgerPath);
}

/** Why the ledger cannot be read as it is, or undefined when it can. Asks git only after its index changed. */
export function ledgerConflict(store: Store, opts: { always?: boolean } = {}): string | undefined {
  const index = gitDirOf(store.loc.dir);
  const stamp = index ? statKey(join(index, 'index')) : undefined;
  if (stamp !== undefined && (opts.always || stamp !== store.getMeta(INDEX_KEY))) {
    if (ledgerUnmerged(store)) return 'git stopped a merge on it (unmerged in the index)';
    try {
      store.setMeta(INDEX_KEY, stamp);
    } catch {
      // a read-only store: ask git again next time
    }
  }
  if ((opts.always || !ledgerInSync(store)) && existsSync(store.ledgerPath)) {
    const lines = markerLines(readFileSync(store.ledgerPath, 'utf8'));
    if (lines.length)
      return `it holds git conflict markers (line ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', …' : ''})`;
  }
  return undefined;
}

/** Refuse to go on with a conflicted ledger: reading one side as the ledger would drop the other side's beads. */
export function assertLedgerResolved(store: Store): void {
  const why = ledgerConflict(store);
  if (why === undefined) return;
  const rel = relative(process.cwd(), store.ledgerPath) || store.ledgerPath;
  throw new GtError('BD_LEDGER_CONFLICT', `the ledger ${rel} is mid-merge: ${why}`, {
    hint: `run \`bd doctor --fix\` to merge both sides bead by bead (nothing is dropped), then \`git add ${rel}\` and finish the merge`,
  });
}
