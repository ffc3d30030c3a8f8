// The store: one SQLite connection plus the git-tracked ledger, kept in step inside every write transaction.
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GtError, messageOf, isoNow, systemClock, type Clock, type BeadEventKind } from '../kernel/index.ts';
import { gitUserName, identityStamp } from '../git/index.ts';
import { Db } from './sqlite.ts';
import type { SchemaPart } from './schema.ts';
import { openOrRescue, type Rescue } from './db-rescue.ts';
import { readBeadsConfig } from './config.ts';
import type { BeadsLocation } from './location.ts';
import {
  importLedgerIfChanged,
  importLedgerText,
  ledgerInSync,
  patchLedger,
  type ImportResult,
} from './ledger-sync.ts';
import { storageFailure } from './storage-errors.ts';
import { assertLedgerResolved } from './ledger-guard.ts';

export interface StoreOptions {
  actor?: string;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Prefix for new beads instead of the store's own (e.g. a rig's, in the town store). */
  prefix?: string;
  /** Skip reading the ledger on open (used by `bd import`/`doctor`, which handle it themselves). */
  skipLedgerCheck?: boolean;
}

export class Store {
  private readonly touched = new Set<string>();
  private actorName: string | undefined;
  private lastStamp = '';
  /** What the ledger check on open brought in, if the file had changed (problems are bad lines, left untouched). */
  ledgerImport: ImportResult | undefined;
  /** True when this open created the database (a fresh clone, or a new store). */
  fresh = false;
  /** True when this user may not write the store's folder: reads only (see openReadOnly). */
  readOnly = false;
  /** Set when the database was unreadable and was moved aside to be rebuilt from the ledger. */
  rescued: Rescue | undefined;

  readonly db: Db;
  readonly loc: BeadsLocation;
  readonly prefix: string;
  private readonly clock: Clock;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    db: Db,
    loc: BeadsLocation,
    prefix: string,
    clock: Clock,
    env: NodeJS.ProcessEnv,
    actor: string | undefined,
  ) {
    this.db = db;
    this.loc = loc;
    this.prefix = prefix;
    this.clock = clock;
    this.env = env;
    this.actorName = actor;
  }

  static open(loc: BeadsLocation, opts: StoreOptions = {}): Store {
    const cfg = readBeadsConfig(loc.dir);
    if (!cfg && !existsSync(join(loc.dir, 'beads.db'))) {
      throw new GtError('BD_NO_STORE', `no beads store in ${loc.dir}`, {
        hint:
          loc.kind === 'town'
            ? `run \`gt install ${loc.root}\` to repair the town; it only adds what is missing`
            : 'run `bd init` in your repository to create one',
      });
    }
    if (!writable(loc.dir) || !writable(join(loc.dir, 'beads.db'))) return Store.openReadOnly(loc, opts, cfg?.prefix);
    mkdirSync(loc.dir, { recursive: true });
    const fresh = !existsSync(join(loc.dir, 'beads.db'));
    let db: Db;
    let rescued: Rescue | undefined;
    try {
      // An unreadable database is moved aside and rebuilt from the ledger (db-rescue.ts).
      ({ db, rescued } = openOrRescue(loc.dir));
    } catch (e) {
      throw (
        storageFailure(e, loc.dir, 'bd could not open the store; nothing was changed') ??
        (e instanceof GtError
          ? e
          : new GtError('BD_DB_OPEN', `cannot open the beads database in ${loc.dir}: ${messageOf(e)}`, {
              hint: 'run `bd doctor` to inspect the store; your issues.jsonl ledger is untouched',
            }))
      );
    }
    const prefix =
      opts.prefix ??
      loc.rigPrefix ??
      cfg?.prefix ??
      db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'prefix'")?.value ??
      'bd';
    const store = new Store(db, loc, prefix, opts.clock ?? systemClock, opts.env ?? process.env, opts.actor);
    store.fresh = fresh;
    if (rescued) store.rescued = rescued;
    if (!opts.skipLedgerCheck) {
      try {
        assertLedgerResolved(store);
        store.ledgerImport = importLedgerIfChanged(store);
      } catch (e) {
        store.close();
        throw storageFailure(e, loc.dir, 'bd could not bring in the changed ledger; nothing was changed') ?? e;
      }
    }
    return store;
  }

  /**
   * For a user who may read the store but not write its folder: the database itself when it matches the ledger,
   * else a database in memory built from the ledger (the ledger is the truth). Writes are refused.
   */
  private static openReadOnly(loc: BeadsLocation, opts: StoreOptions, cfgPrefix: string | undefined): Store {
    const dbPath = join(loc.dir, 'beads.db');
    const ledger = join(loc.dir, 'issues.jsonl');
    const make = (db: Db): Store => {
      const prefix =
        opts.prefix ??
        loc.rigPrefix ??
        cfgPrefix ??
        db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'prefix'")?.value ??
        'bd';
      const store = new Store(
        db,
        loc,
        prefix,
        opts.clock ?? systemClock,
        opts.env ?? process.env,
        opts.actor ?? 'ledger',
      );
      store.readOnly = true;
      return store;
    };
    if (existsSync(dbPath)) {
      try {
        const store = make(Db.openReadOnly(dbPath));
        if (opts.skipLedgerCheck || !existsSync(ledger) || ledgerInSync(store)) return store;
        store.close();
      } catch {
        // unreadable or behind the ledger: read the ledger instead
      }
    }
    const store = make(Db.open(':memory:'));
    if (existsSync(ledger))
      store.ledgerImport = store.db.tx(() => importLedgerText(store, readFileSync(ledger, 'utf8')));
    return store;
  }

  get ledgerPath(): string {
    return join(this.loc.dir, 'issues.jsonl');
  }

  /** Close the connection. Every write has committed by now, so a failure here (the final checkpoint of the WAL on a
   * full disk) loses nothing: the WAL stays and the next open replays it. */
  close(): void {
    try {
      this.db.close();
    } catch {
      // see above
    }
  }

  /** Who is acting: --actor, BD_ACTOR, BEADS_ACTOR, git user.name, $USER, "unknown". Resolved on first use. */
  actor(): string {
    if (this.actorName === undefined) {
      this.actorName = this.env.BD_ACTOR || this.env.BEADS_ACTOR || this.cachedGitUser() || this.env.USER || 'unknown';
    }
    return this.actorName;
  }

  /** git's user.name, remembered in the store while the git config files are unchanged (spawning git is slow). */
  private cachedGitUser(): string | undefined {
    const stamp = identityStamp(this.loc.root, this.env);
    if (stamp !== undefined) {
      const cached = this.getMeta('git_user');
      if (cached) {
        const [key, name] = JSON.parse(cached) as [string, string];
        if (key === stamp) return name || undefined;
      }
    }
    const name = gitUserName(this.loc.root);
    if (stamp !== undefined) this.setMeta('git_user', JSON.stringify([stamp, name ?? '']));
    return name;
  }

  /** A timestamp strictly later than the previous one from this store, so edit order survives equal clock readings. */
  now(): string {
    let t = isoNow(this.clock);
    if (t <= this.lastStamp) t = new Date(Date.parse(this.lastStamp) + 1).toISOString();
    this.lastStamp = t;
    return t;
  }

  /** Mark a bead as changed in the current write, so its ledger line is rewritten. */
  touch(id: string): void {
    this.touched.add(id);
  }

  /** Append to a bead's event log. */
  event(issueId: string, type: BeadEventKind, oldValue: unknown = null, newValue: unknown = null): void {
    const enc = (v: unknown): string | null =>
      v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
    this.db.run(
      'INSERT INTO events (issue_id, type, actor, old_value, new_value, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      issueId,
      type,
      this.actor(),
      enc(oldValue),
      enc(newValue),
      this.now(),
    );
  }

  /**
   * Run a write: one BEGIN IMMEDIATE transaction; before it commits, the ledger lines of every touched bead are
   * rewritten atomically, so the database and the ledger move together.
   */
  write<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    if (this.readOnly) {
      throw new GtError(
        'BD_READ_ONLY',
        `cannot change the beads store in ${this.loc.dir}: this user may read it but not write there; nothing was changed`,
        {
          hint: 'run the command as a user who can write that folder (e.g. its owner); reading commands work as you are',
        },
      );
    }
    this.touched.clear();
    try {
      return this.db.tx(() => {
        const r = fn();
        if (this.touched.size > 0) patchLedger(this, [...this.touched]);
        return r;
      });
    } catch (e) {
      // The transaction rolled back and a replaced ledger was put back: nothing of this write remains.
      throw storageFailure(e, this.loc.dir, 'the change was not saved; the store is as it was') ?? e;
    } finally {
      this.touched.clear();
    }
  }

  /**
   * The database, with the tables of `part` brought to its latest version first (once per connection). The module
   * that owns a town table runs every query on it through this: `store.use(MAIL).all(...)`.
   */
  use(part: SchemaPart): Db {
    return this.db.use(part);
  }

  getMeta(key: string): string | undefined {
    return this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }
}

/** Whether this process may write `path` (a folder: create files in it); one not there yet counts as writable. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
