// Transitional: the town's tables as one schema part while each moves to the module that owns it.
import type { SchemaPart } from '../beads/index.ts';

export const TOWN_TABLES: SchemaPart = { name: 'town', migrations: [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS merge_requests (
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
CREATE INDEX IF NOT EXISTS merge_requests_queue ON merge_requests(rig, status, priority, created_at);
CREATE TABLE IF NOT EXISTS usage (
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
CREATE INDEX IF NOT EXISTS usage_at ON usage(at);
CREATE INDEX IF NOT EXISTS usage_address ON usage(address, at);
CREATE INDEX IF NOT EXISTS usage_convoy ON usage(convoy);
CREATE TABLE IF NOT EXISTS usage_sources (
  path TEXT PRIMARY KEY,
  session_id TEXT,
  address TEXT,
  offset INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  mtime_ms INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
) STRICT;
` }] };
