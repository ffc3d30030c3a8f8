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
` }] };
