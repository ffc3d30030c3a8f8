// Schema migrations of the store, applied in order; `schema_version` records the last one applied.

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
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
    // Town tables beside the issues (DESIGN.md §5): the agents the town runs, and mail between them.
    version: 3,
    sql: `
CREATE TABLE agents (
  address TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  rig TEXT,
  name TEXT NOT NULL,
  runtime TEXT NOT NULL,
  session TEXT,
  workdir TEXT,
  state TEXT NOT NULL DEFAULT 'stopped',
  hooked_bead TEXT,
  session_id TEXT,
  started_at TEXT,
  heartbeat_at TEXT,
  last_activity TEXT,
  metadata TEXT
) STRICT;
CREATE INDEX agents_rig ON agents(rig, role);
CREATE TABLE mail (
  id TEXT PRIMARY KEY,
  from_addr TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL DEFAULT 2,
  type TEXT NOT NULL DEFAULT 'message',
  thread_id TEXT,
  reply_to TEXT,
  created_at TEXT NOT NULL,
  read_at TEXT,
  acked_at TEXT,
  archived_at TEXT
) STRICT;
CREATE INDEX mail_inbox ON mail(to_addr, archived_at, created_at);
CREATE INDEX mail_thread ON mail(thread_id, created_at);
`,
  },
  {
    // The work loop (docs/work-loop.md): polecats and their hooks, merge requests, slings waiting for a cap, and
    // the town's event log (every decision the daemon takes, with its reason).
    version: 4,
    sql: `
CREATE TABLE polecats (
  rig TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'idle',
  bead TEXT,
  branch TEXT,
  base TEXT,
  worktree TEXT NOT NULL,
  hook_state TEXT,
  agent TEXT,
  restarts INTEGER NOT NULL DEFAULT 0,
  last_snapshot TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (rig, name)
) STRICT;
CREATE UNIQUE INDEX polecats_bead ON polecats(bead) WHERE bead IS NOT NULL;
CREATE TABLE merge_requests (
  id TEXT PRIMARY KEY,
  rig TEXT NOT NULL,
  bead TEXT NOT NULL,
  polecat TEXT,
  branch TEXT NOT NULL,
  head TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 2,
  status TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  merge_commit TEXT,
  failure TEXT,
  rework_bead TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  UNIQUE (rig, bead, head)
) STRICT;
CREATE INDEX merge_requests_queue ON merge_requests(rig, status, priority, created_at);
CREATE TABLE sling_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bead TEXT NOT NULL UNIQUE,
  rig TEXT NOT NULL,
  agent TEXT,
  options TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE town_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT,
  reason TEXT,
  data TEXT
) STRICT;
CREATE INDEX town_events_at ON town_events(at);
`,
  },
  {
    // Token usage from agent transcripts (docs/costs.md): one row per model response, keyed by the response's message
    // id so re-reading a transcript is idempotent; and the transcripts read so far, with how far.
    version: 5,
    sql: `
CREATE TABLE usage (
  id TEXT PRIMARY KEY,
  session_id TEXT,
  address TEXT,
  rig TEXT,
  bead TEXT,
  convoy TEXT,
  model TEXT NOT NULL,
  input INTEGER NOT NULL DEFAULT 0,
  output INTEGER NOT NULL DEFAULT 0,
  cache_read INTEGER NOT NULL DEFAULT 0,
  cache_write INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX usage_at ON usage(at);
CREATE INDEX usage_address ON usage(address, at);
CREATE INDEX usage_convoy ON usage(convoy);
CREATE TABLE usage_sources (
  path TEXT PRIMARY KEY,
  session_id TEXT,
  address TEXT,
  offset INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  mtime_ms INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
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

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
