// The only module that opens the database: WAL, a busy timeout, migrations, and short IMMEDIATE transactions.
import { statSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { GtError, messageOf } from '../kernel/index.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.ts';

export type Row = Record<string, SQLInputValue>;
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

/** A thin handle over one SQLite connection with a statement cache. */
export class Db {
  private readonly stmts = new Map<string, StatementSync>();
  private depth = 0;
  /** What to do once the open transaction commits or is abandoned, by key (the first registration of a key wins). */
  private readonly endings = new Map<string, TxEnding>();

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
      db.migrate();
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
    if (db.schemaVersion() !== SCHEMA_VERSION) {
      raw.close();
      throw new GtError('BD_DB_OPEN', `the beads database ${path} has schema ${db.schemaVersion()}, not ${SCHEMA_VERSION}, and is read-only to this user`);
    }
    return db;
  }

  close(): void {
    this.stmts.clear();
    this.raw.close();
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

  schemaVersion(): number {
    const t = this.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type='table' AND name='schema_version'");
    if (!t || t.n === 0) return 0;
    return this.get<{ v: number }>('SELECT max(version) AS v FROM schema_version')?.v ?? 0;
  }

  private migrate(): void {
    if (this.schemaVersion() === SCHEMA_VERSION) return;
    this.tx(() => {
      this.raw.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL) STRICT');
      const current = this.schemaVersion();
      if (current > SCHEMA_VERSION) {
        throw new GtError('BD_SCHEMA_NEWER', `the database ${this.path} has schema ${current}, newer than this bd understands (${SCHEMA_VERSION})`, {
          hint: 'upgrade bd; the database was left untouched',
        });
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        this.raw.exec(m.sql);
        this.run('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)', m.version, new Date().toISOString());
      }
    });
  }
}
