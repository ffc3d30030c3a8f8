// OpenCode's storage from a captured fixture (test/fixtures/opencode/*.sql: the tables and rows OpenCode 1.18.33
// wrote for one session), as a database in WAL mode like OpenCode's own, for the readers of its usage.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const OPENCODE_FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/opencode');

/** Writes the fixture `name` to the database `path`, its session run in `workdir`; returns `path`. */
export function openCodeFixtureDb(path: string, workdir: string, name = 'run-with-tool-call.sql'): string {
  mkdirSync(dirname(path), { recursive: true });
  const sql = readFileSync(resolve(OPENCODE_FIXTURES, name), 'utf8')
    .replaceAll('{{WORKDIR}}', workdir)
    .replaceAll('{{WORKPATH}}', workdir.replace(/^\//, ''));
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(sql);
  } finally {
    db.close();
  }
  return path;
}
