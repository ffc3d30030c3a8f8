import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { openCodeFixtureDb } from '../../testing/opencode/index.ts';
import { isSqliteFile, openCodeDatabases, openCodeUsage, readOpenCodeDb } from './opencode.ts';

const dir = mkdtempSync(join(tmpdir(), 'gt-opencode-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORK = '/home/me/town/web/polecats/nux';
const assistant = (o: Record<string, unknown> = {}): string =>
  JSON.stringify({
    role: 'assistant',
    modelID: 'test-model',
    providerID: 'loopback',
    path: { cwd: WORK, root: '/' },
    time: { created: Date.UTC(2026, 11, 6, 12), completed: Date.UTC(2026, 11, 6, 12, 0, 5) },
    tokens: { total: 130, input: 100, output: 20, reasoning: 10, cache: { read: 0, write: 0 } },
    ...o,
  });

describe("OpenCode's usage", () => {
  it('reads one record per model response of a session OpenCode 1.18.33 stored, with the tokens it stored', () => {
    const db = openCodeFixtureDb(join(dir, 'captured', 'opencode.db'), WORK);
    const { records, cursor } = readOpenCodeDb(db);
    // The fixture: a user message, a response calling bash (7677 in, 11 out), the closing text (7736 in, 3 out).
    // The title request OpenCode sent on the side (615 in) is in no table, as the session's own totals show.
    expect(records).toEqual([
      {
        id: 'msg_24b405f4a00156HB7R6vzs8Bbd',
        session_id: 'ses_db4bfb735ffe4dfNDXqW0GVFjn',
        model: 'test-model',
        at: new Date(1796558839626).toISOString(),
        cwd: WORK,
        input: 7677,
        output: 11,
        cache_read: 0,
        cache_write: 0,
      },
      expect.objectContaining({ id: 'msg_24b40780c001zuP0aaeMyYF7qi', input: 7736, output: 3 }),
    ]);
    const raw = new DatabaseSync(db, { readOnly: true });
    const session = raw.prepare('SELECT tokens_input, tokens_output FROM session').get();
    raw.close();
    expect(session).toEqual({
      tokens_input: records.reduce((n, r) => n + r.input, 0),
      tokens_output: records.reduce((n, r) => n + r.output, 0),
    });
    expect(cursor).toBe(1796558846713);
    expect(isSqliteFile(db)).toBe(true);
  });

  it('reads from the cursor on: a response still streaming is left out until OpenCode completes it', () => {
    const db = openCodeFixtureDb(join(dir, 'cursor', 'opencode.db'), WORK);
    const first = readOpenCodeDb(db);
    const w = new DatabaseSync(db);
    const streaming = JSON.parse(assistant()) as { time: Record<string, number> };
    delete streaming.time.completed;
    w.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(
      'msg_new',
      'ses_db4bfb735ffe4dfNDXqW0GVFjn',
      first.cursor + 10,
      first.cursor + 10,
      JSON.stringify(streaming),
    );
    const during = readOpenCodeDb(db, first.cursor);
    expect(during.records.map((r) => r.id)).toEqual(['msg_24b40780c001zuP0aaeMyYF7qi']); // the boundary row, again
    expect(during.cursor).toBe(first.cursor + 10);
    w.prepare('UPDATE message SET time_updated = ?, data = ? WHERE id = ?').run(
      first.cursor + 20,
      assistant(),
      'msg_new',
    );
    w.close();
    const after = readOpenCodeDb(db, during.cursor);
    expect(after.records).toEqual([expect.objectContaining({ id: 'msg_new', input: 100, output: 30 })]);
  });

  it('leaves out user messages, aborted responses without tokens and rows that are not JSON', () => {
    const row = (data: string): Parameters<typeof openCodeUsage>[0] => ({
      id: 'm1',
      session_id: 's1',
      time_updated: 1,
      data,
      directory: '/from/session',
    });
    expect(openCodeUsage(row(JSON.stringify({ role: 'user', time: { created: 1 } })))).toBeUndefined();
    expect(
      openCodeUsage(
        row(assistant({ tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } }, error: {} })),
      ),
    ).toBeUndefined();
    expect(openCodeUsage(row('{torn'))).toBeUndefined();
    expect(
      openCodeUsage(
        row(assistant({ path: undefined, tokens: { input: 5, output: 1, cache: { read: 40, write: 2 } } })),
      ),
    ).toMatchObject({ cwd: '/from/session', input: 5, output: 1, cache_read: 40, cache_write: 2 });
  });

  it("finds the databases in OpenCode's data directory, or the one OPENCODE_DB names", () => {
    const data = join(dir, 'xdg');
    mkdirSync(join(data, 'opencode'), { recursive: true });
    for (const f of ['opencode.db', 'opencode-beta.db', 'opencode.db-wal', 'other.db'])
      writeFileSync(join(data, 'opencode', f), '');
    expect(openCodeDatabases([{ XDG_DATA_HOME: data }, { XDG_DATA_HOME: data }])).toEqual([
      join(data, 'opencode', 'opencode-beta.db'),
      join(data, 'opencode', 'opencode.db'),
    ]);
    expect(openCodeDatabases([{ HOME: join(dir, 'nohome') }])).toEqual([]);
    expect(openCodeDatabases([{ XDG_DATA_HOME: data, OPENCODE_DB: 'other.db' }])).toEqual([
      join(data, 'opencode', 'other.db'),
    ]);
    expect(isSqliteFile(join(data, 'opencode', 'other.db'))).toBe(false);
  });
});
