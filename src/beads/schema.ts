// The database is made of named schema parts, each with its own migrations applied in order; `schema_parts` records
// how far each part has come. Beads' issue tables are the part `beads`, the only one `bd` itself applies; the town's
// tables are parts owned by the module of each concept (agents, mail, polecats, ...), applied on first use
// (`Store.use`). One database file per store or town holds them all.

export interface Migration {
  /** Increasing within its part; the part's recorded version is the last one applied. */
  version: number;
  sql: string;
}

export interface SchemaPart {
  /** Unique in the database; a town part is named after its table. */
  name: string;
  migrations: readonly Migration[];
}

/** The last migration's version: what a database holding the whole part records. */
export function latestVersion(part: SchemaPart): number {
  return part.migrations[part.migrations.length - 1]?.version ?? 0;
}

/**
 * Beads' own tables. The versions continue the store's old single numbering (`schema_version`, up to 6), in which
 * 3 to 5 created the town's tables: those now live in their owners' parts, so a store of that numbering is simply
 * at that version of this part. The next migration here is 7.
 */
const BEADS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE issues (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  design TEXT NOT NULL DEFAULT '',
  acceptance TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open',
  priority INTEGER NOT NULL DEFAULT 2,
  type TEXT NOT NULL DEFAULT 'task',
  assignee TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  close_reason TEXT,
  external_ref TEXT,
  defer_until TEXT,
  metadata TEXT,
  ephemeral INTEGER NOT NULL DEFAULT 0,
  is_blocked INTEGER NOT NULL DEFAULT 0,
  deleted_at TEXT,
  deleted_by TEXT
) STRICT;
CREATE INDEX issues_ready ON issues(status, is_blocked, priority, created_at DESC, id);
CREATE INDEX issues_status ON issues(status, priority, created_at DESC, id);
CREATE INDEX issues_assignee ON issues(assignee);
CREATE INDEX issues_updated ON issues(updated_at);
CREATE TABLE deps (
  issue_id TEXT NOT NULL,
  depends_on_id TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (issue_id, depends_on_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX deps_target ON deps(depends_on_id, type);
CREATE TABLE labels (
  issue_id TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (issue_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX labels_label ON labels(label);
CREATE TABLE comments (
  id TEXT PRIMARY KEY,
  issue_id TEXT NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comments_issue ON comments(issue_id, created_at);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  issue_id TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX events_issue ON events(issue_id, id);
CREATE TABLE child_counters (
  parent_id TEXT PRIMARY KEY,
  last_child INTEGER NOT NULL
) STRICT;
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`,
  },
  {
    // Beads whose ledger line git removed (a branch switch, a stash): kept whole here until a ledger brings them back.
    version: 2,
    sql: `
CREATE TABLE shelved (
  id TEXT PRIMARY KEY,
  line TEXT NOT NULL,
  shelved_at TEXT NOT NULL
) STRICT;
`,
  },
  {
    // Beads-compatible records (docs/formats/beads-jsonl.md): the owner, fields of a record this project does not
    // model (kept as JSON and written back), records of another _type kept whole, and a forced re-import so a
    // ledger in the earlier shape is rewritten in the new one on the first call.
    version: 6,
    sql: `
ALTER TABLE issues ADD COLUMN owner TEXT;
ALTER TABLE issues ADD COLUMN extra TEXT;
ALTER TABLE issues ADD COLUMN uid TEXT;
ALTER TABLE deps ADD COLUMN extra TEXT;
ALTER TABLE comments ADD COLUMN extra TEXT;
CREATE TABLE ledger_others (
  seq INTEGER PRIMARY KEY,
  line TEXT NOT NULL UNIQUE
) STRICT;
DELETE FROM meta WHERE key = 'ledger_stat';
`,
  },
];

export const BEADS_PART: SchemaPart = { name: 'beads', migrations: BEADS_MIGRATIONS };
