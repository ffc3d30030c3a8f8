// The bd command context: I/O, global flags, and the store opened once on first use.
import type { Command } from 'commander';
import { GtError } from '../../kernel/index.ts';
import {
  adoptGoBeads,
  findBeadsDir,
  findGoBeadsDir,
  isGoBeadsDir,
  refreshMergeDriver,
  registerMergeDriver,
  Store,
} from '../../beads/index.ts';
import { mergeDriverCommand } from './self.ts';
import type { CliIo } from '../shared/runtime.ts';

export interface BdCtx {
  io: CliIo;
  json(): boolean;
  actor(): string | undefined;
  /** The store for the current directory (opened lazily, closed by main). `raw`: skip reading the ledger (bd doctor). */
  store(opts?: { raw?: boolean }): Store;
  close(): void;
}

/** Re-register a merge driver whose programs are gone; never fails a command over it. */
function refreshMergeDriverQuietly(root: string): string[] | undefined {
  try {
    return refreshMergeDriver(root, mergeDriverCommand());
  } catch {
    return undefined;
  }
}

export function createBdCtx(io: CliIo, program: Command): BdCtx {
  let store: Store | undefined;
  const globals = (): { json?: boolean; actor?: string } => program.opts();
  const ctx: BdCtx = {
    io,
    json: () => Boolean(globals().json),
    actor: () => globals().actor,
    store(opts = {}) {
      if (store) return store;
      const loc = findBeadsDir(io.cwd, io.env);
      const goDir = loc
        ? loc.kind === 'standalone' && isGoBeadsDir(loc.dir)
          ? loc.dir
          : undefined
        : findGoBeadsDir(io.cwd);
      if (goDir) {
        // A repository Go Beads set up: import its ledger once, keep its files, and say so (stderr: --json stays clean).
        const a = adoptGoBeads(goDir, { driverCommand: mergeDriverCommand() });
        io.err(
          `bd: found Go Beads' .beads/ (${a.era} era) in ${goDir}: imported ${a.beads} bead${a.beads === 1 ? '' : 's'} from issues.jsonl\n`,
        );
        for (const line of a.lines) io.err(`bd: ${line}\n`);
        return ctx.store();
      }
      if (!loc) {
        throw new GtError('BD_NO_STORE', `no beads store found in ${io.cwd} or any parent directory`, {
          hint: 'run `bd init` at the top of your repository to create one',
        });
      }
      const actor = globals().actor;
      const missing = refreshMergeDriverQuietly(loc.root);
      if (missing) {
        io.err(
          `Note: the git merge driver for the ledger ran ${missing.join(' and ')}, which no longer exist${missing.length > 1 ? '' : 's'}; registered it again for this bd\n`,
        );
      }
      store = Store.open(loc, {
        env: io.env,
        ...(actor ? { actor } : {}),
        ...(opts.raw ? { skipLedgerCheck: true } : {}),
      });
      if (store.fresh && loc.kind === 'standalone') {
        // A fresh clone: git config is not cloned, so register the ledger's merge driver here as `bd init` did.
        try {
          registerMergeDriver(loc.root, mergeDriverCommand());
        } catch {
          // no git, or not a repository: merging is then git's business alone
        }
      }
      const imp = store.ledgerImport;
      if (store.rescued) {
        io.err(
          `Warning: the database could not be read (${store.rescued.reason}); it was moved to ${store.rescued.movedTo} and rebuilt from issues.jsonl. Only the moved file still holds the event history${loc.kind === 'town' ? ', mail, agents and merge requests' : ''}.\n`,
        );
      }
      for (const m of imp?.moved ?? []) {
        io.err(
          `Note: ${m.from} is now ${m.to} ("${m.title}"): another clone had created ${m.from} too; the merge kept both\n`,
        );
      }
      if (imp && imp.problems.length > 0) {
        for (const p of imp.problems.slice(0, 10)) io.err(`Warning: ${store.ledgerPath}:${p.line}: ${p.message}\n`);
        io.err(
          `Warning: ${imp.problems.length} ledger line(s) were skipped; they are still in the file. Run \`bd doctor\` for details.\n`,
        );
      }
      return store;
    },
    close() {
      store?.close();
      store = undefined;
    },
  };
  return ctx;
}
