// A database SQLite cannot read is not a dead end: the ledger is the truth, so bd sets the file aside and rebuilds.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, messageOf } from '../kernel/index.ts';
import { Db } from './sqlite.ts';

export interface Rescue {
  /** Where the unreadable database was moved (its -wal and -shm files beside it). */
  movedTo: string;
  reason: string;
}

const CORRUPT = /file is not a database|malformed|SQLITE_(CORRUPT|NOTADB)|not a database/i;

/**
 * Open `<dir>/beads.db`; when SQLite cannot read it and a ledger exists, move it (and its WAL files) aside under a
 * name git ignores (`beads.db-corrupt-<time>`) and open a fresh one, which the ledger check then fills.
 */
export function openOrRescue(dir: string): { db: Db; rescued?: Rescue } {
  const path = join(dir, 'beads.db');
  try {
    return { db: Db.open(path) };
  } catch (e) {
    if (
      !(e instanceof GtError) ||
      e.code !== 'BD_DB_OPEN' ||
      !CORRUPT.test(e.message) ||
      !existsSync(join(dir, 'issues.jsonl'))
    )
      throw e;
    // Another bd may have rescued it a moment ago: take its fresh database rather than move that one aside.
    try {
      return { db: Db.open(path) };
    } catch {
      // still unreadable
    }
    const movedTo = `${path}-corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(path, movedTo);
      for (const s of ['-wal', '-shm']) if (existsSync(path + s)) renameSync(path + s, movedTo + s);
    } catch (err) {
      throw new GtError('BD_DB_OPEN', `${e.message}; moving it aside failed: ${messageOf(err)}`, {
        hint: `move ${path} elsewhere yourself; bd then rebuilds the database from issues.jsonl`,
      });
    }
    return { db: Db.open(path), rescued: { movedTo, reason: e.message } };
  }
}
