// The only module that opens the database: WAL, a busy timeout, migrations, and short IMMEDIATE transactions.
import { statSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { GtError, messageOf } from '../kernel/index.ts';
import { BEADS_PART, latestVersion, type SchemaPart } from './schema.ts';

export type Row = Record<string, SQLInputValue>;

/** One row's values in column order. */
export type Values = readonly SQLInputValue[];

/** Rows as value arrays (Db.allValues). */
export interface Table {
  columns: string[];
  rows: Values[];
}
export type Params = SQLInputValue[];

const BUSY_TIMEOUT_MS = 30_000;

/** SQLite's "database or disk is full" or an I/O error: left to the caller, who can name the cause. */
function isStorageFull(e: unknown): boolean {
  const err = e as { code?: unknown; errcode?: unknown };
  return err?.code === 'ERR_SQLITE_ERROR' && typeof err.errcode === 'number' && [10, 13].includes(err.errcode & 0xff);
}

export interface TxEnding {
  commit(): void;
  abort(): void;
}

/**
 * Closing the last connection to a database makes SQLite checkpoint the WAL into it, with two fsyncs. After a write
 * that replaced the ledger, those fsyncs also wait for the new ledger's megabytes to reach the disk (ext4 flushes a
 * file renamed over another at the next journal commit): most of a short write command's time. A command-line
 * process instead leaves the WAL for the next one: before it closes a connection it opens a read-only one that it
 * keeps until it exits; that connection cannot checkpoint and keeps the closing one from being the last. Every
 * commit is in the WAL already (synchronous=NORMAL: as durable as before against a killed process).
 *
 * SQLite's automatic checkpoint cannot keep that WAL short: the next process, finding no other connection, rebuilds
 * the WAL's index and with it forgets what was checkpointed, so the WAL is never started over. It grew by every
 * write, every call read all of it at open (7 ms at 11 MB) and every write past 1,000 pages copied all of it back.
 * So a process that wrote folds the WAL into the database itself once it passes WAL_FOLD_BYTES, as it closes.
 */
const WAL_FOLD_BYTES = 1 << 20;

let leaveWal: false | 'keep' | 'park' = false;
const keepers = new Map<string, DatabaseSync>();
const parked: DatabaseSync[] = [];

/**
 * For a short-lived process (the bd and gt commands): close without checkpointing, as explained above. A process
 * that exits with process.exit() as soon as its command is done (bd) may `park` instead: a connection it closes
 * stays open until the exit, which never closes it, so nothing checkpoints and no read-only keeper has to be opened.
 */
export function leaveWalOnClose(how: 'keep' | 'park' = 'keep'): void {
  leaveWal = how;
}

function keepWal(path: string): void {
  if (keepers.has(path)) return;
  try {
    const k = new DatabaseSync(path, { readOnly: true });
    k.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the shared lock a WAL reader holds
    keepers.set(path, k);
  } catch {
    // nothing kept: this close checkpoints as usual
  }
}

/** A thin handle over one SQLite connection with a statement cache. */
export class Db {
  private readonly stmts = new Map<string, StatementSync>();
  private readonly valueStmts = new Map<string, StatementSync>();
  private depth = 0;
  /** A transaction committed on this connection (so closing it may fold the WAL). */
  private wrote = false;
  /** What to do once the open transaction commits or is abandoned, by key (the first registration of a key wins). */
  private readonly endings = new Map<string, TxEnding>();
  /** Schema parts known to be complete on this connection, so `use` costs one lookup per part per connection. */
  private readonly partsReady = new Set<string>();
  private readOnly = false;

  readonly raw: DatabaseSync;
  readonly path: string;

  private constructor(raw: DatabaseSync, path: string) {
    this.raw = raw;
    this.path = path;
  }

  static open(path: string): Db {
    let raw: DatabaseSync;
    try {
      raw = new DatabaseSync(path);
    } catch (e) {
      if (isStorageFull(e)) throw e;
      throw new GtError('BD_DB_OPEN', `cannot open the beads database ${path}: ${messageOf(e)}`);
    }
    const db = new Db(raw, path);
    try {
      raw.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      raw.exec('PRAGMA journal_mode = WAL');
      raw.exec('PRAGMA synchronous = NORMAL');
      raw.exec('PRAGMA foreign_keys = OFF');
      db.use(BEADS_PART);
    } catch (e) {
      raw.close();
      if (e instanceof GtError || isStorageFull(e)) throw e;
      throw new GtError('BD_DB_OPEN', `cannot prepare the beads database ${path}: ${messageOf(e)}`, {
        hint: 'run `bd doctor` to inspect the store; your issues.jsonl ledger is untouched',
      });
    }
    return db;
  }

  /**
   * Open an existing database for reading only, by a user who may not write its folder: through the WAL index when
   * one exists, else as an immutable file (no writer is active, since the WAL is empty or absent). Refuses a
   * database whose schema this bd would have to change.
   */
  static openReadOnly(path: string): Db {
    let raw: DatabaseSync;
    try {
      raw = new DatabaseSync(path, { readOnly: true });
      raw.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      let wal = 0;
      try {
        wal = statSync(`${path}-wal`).size;
      } catch {
        // no WAL: the file alone is the whole database
      }
      if (wal > 0) throw new GtError('BD_DB_OPEN', `cannot read the beads database ${path}: ${messageOf(e)}`);
      const url = pathToFileURL(path);
      url.searchParams.set('immutable', '1');
      raw = new DatabaseSync(url, { readOnly: true });
    }
    const db = new Db(raw, path);
    db.readOnly = true;
    const version = db.partVersion(BEADS_PART.name);
    if (version !== latestVersion(BEADS_PART)) {
      raw.close();
      throw new GtError(
        'BD_DB_OPEN',
        `the beads database ${path} has schema ${version}, not ${latestVersion(BEADS_PART)}, and is read-only to this user`,
      );
    }
    db.partsReady.add(BEADS_PART.name);
    return db;
  }

  close(): void {
    this.stmts.clear();
    this.valueStmts.clear();
    if (leaveWal && !this.readOnly && this.path !== ':memory:') {
      if (this.wrote) this.foldWalIfLong();
      if (leaveWal === 'park') {
        parked.push(this.raw);
        return;
      }
      keepWal(this.path);
    }
    this.raw.close();
  }

  /**
   * Copy the WAL into the database and empty it (see WAL_FOLD_BYTES), waiting at most a moment for readers. It only
   * moves committed pages: when it cannot (busy, disk full) the WAL stays as it is, for a later write to fold.
   */
  private foldWalIfLong(): void {
    try {
      if (statSync(`${this.path}-wal`).size < WAL_FOLD_BYTES) return;
      this.raw.exec('PRAGMA busy_timeout = 200');
      this.raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // nothing lost: the WAL keeps every commit
    }
  }

  private stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  all<T = Row>(sql: string, ...params: Params): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  /**
   * The rows as arrays of values in column order, with the column names: no object per row, which node:sqlite
   * builds with one named property at a time (for a page of 100 beads that cost more than the query itself, and
   * pushed a short command into a garbage collection).
   */
  allValues(sql: string, ...params: Params): Table {
    let s = this.valueStmts.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      // Node 22.13–22.15 lacks it: their rows are objects, read back in column order below.
      if (typeof s.setReturnArrays === 'function') s.setReturnArrays(true);
      this.valueStmts.set(sql, s);
    }
    const rows = s.all(...params) as unknown[];
    return {
      columns: s.columns().map((c) => c.name),
      rows: (rows.length && !Array.isArray(rows[0]) ? rows.map((r) => Object.values(r as Row)) : rows) as Values[],
    };
  }

  get<T = Row>(sql: string, ...params: Params): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  run(sql: string, ...params: Params): number {
    return Number(this.stmt(sql).run(...params).changes);
  }

  /** Run `fn` inside one BEGIN IMMEDIATE transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.raw.exec('BEGIN IMMEDIATE');
    this.depth++;
    let r: T;
    try {
      r = fn();
      this.raw.exec('COMMIT');
      this.wrote = true;
    } catch (e) {
      try {
        this.raw.exec('ROLLBACK');
      } catch {
        // the transaction is already gone; the original error is what matters
      }
      this.finish('abort');
      throw e;
    } finally {
      this.depth--;
    }
    this.finish('commit');
    return r;
  }

  /**
   * Inside a transaction: run `ending.abort` if it does not commit (a failed COMMIT included), else `ending.commit`.
   * Used to undo a file replaced as part of the transaction. Returns false if `key` is already registered.
   */
  onEnd(key: string, ending: TxEnding): boolean {
    if (this.depth === 0) throw new Error('Db.onEnd outside a transaction');
    if (this.endings.has(key)) return false;
    this.endings.set(key, ending);
    return true;
  }

  private finish(how: keyof TxEnding): void {
    const all = [...this.endings.values()];
    this.endings.clear();
    for (const e of all) {
      try {
        e[how]();
      } catch {
        // an ending reports its own failures; the transaction's outcome stands
      }
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** The version of Beads' own tables (the part `beads`). */
  schemaVersion(): number {
    return this.partVersion(BEADS_PART.name);
  }

  /**
   * How far the schema part `name` has come: its row in `schema_parts`, else 0. A store from before schema parts
   * (one numbering in `schema_version`) has Beads' part at that number and no other part recorded.
   */
  partVersion(name: string): number {
    const has = (table: string): boolean =>
      (this.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type='table' AND name=?", table)?.n ??
        0) > 0;
    if (has('schema_parts')) {
      const row = this.get<{ version: number }>('SELECT version FROM schema_parts WHERE name = ?', name);
      if (row) return row.version;
    }
    if (name === BEADS_PART.name && has('schema_version'))
      return this.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_version')?.v ?? 0;
    return 0;
  }

  /**
   * Make sure the tables of `part` exist at its latest version, applying its missing migrations in one IMMEDIATE
   * transaction (or inside the open one), then return this handle for the part's queries. Checked once per
   * connection: the owner of a table calls it before each use at the cost of a set lookup.
   */
  use(part: SchemaPart): this {
    if (this.partsReady.has(part.name)) return this;
    const latest = latestVersion(part);
    if (this.quickPartVersion(part.name) === latest) {
      this.partsReady.add(part.name);
      return this;
    }
    if (this.readOnly) {
      throw new GtError(
        'BD_READ_ONLY',
        `the ${part.name} tables in ${this.path} need an upgrade, and this user may only read the database`,
        {
          hint: 'run the command once as a user who can write that folder (e.g. its owner); nothing was changed',
        },
      );
    }
    this.tx(() => {
      this.raw.exec(
        'CREATE TABLE IF NOT EXISTS schema_parts (name TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL) STRICT',
      );
      const current = this.partVersion(part.name);
      if (current > latest) {
        throw new GtError(
          'BD_SCHEMA_NEWER',
          `the database ${this.path} has ${part.name} schema ${current}, newer than this program understands (${latest})`,
          {
            hint: 'upgrade bd and gt; the database was left untouched',
          },
        );
      }
      for (const m of part.migrations) {
        if (m.version <= current) continue;
        this.raw.exec(m.sql);
      }
      this.run(
        'INSERT INTO schema_parts (name, version, applied_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at',
        part.name,
        latest,
        new Date().toISOString(),
      );
      // Joined to a caller's transaction that then rolls back, the tables are gone again: check anew next time.
      this.onEnd(`schema-part:${part.name}`, {
        commit: () => undefined,
        abort: () => this.partsReady.delete(part.name),
      });
    });
    this.partsReady.add(part.name);
    return this;
  }

  /** The recorded version of a part in one statement (the common case on every open), or undefined when unsure. */
  private quickPartVersion(name: string): number | undefined {
    try {
      return this.get<{ version: number }>('SELECT version FROM schema_parts WHERE name = ?', name)?.version;
    } catch {
      return undefined; // no schema_parts yet: a new database or one from before schema parts
    }
  }
}
