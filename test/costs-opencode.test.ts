// gt costs on OpenCode's own storage: an OpenCode agent's responses are read from the database OpenCode 1.18.33 keeps
// under XDG_DATA_HOME (a captured session, test/fixtures/opencode), once each, attributed to the agent whose working
// directory the session ran in and to the bead on its hook; sessions run elsewhere are not the town's.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStart } from '../src/agents/index.ts';
import { TOWN_EVENTS } from '../src/kernel/index.ts';
import { loadTown, openTownStore, recordTownEvent } from '../src/town/index.ts';
import { openCodeFixtureDb } from '../testing/opencode/index.ts';
import { gtJson, tempDir } from './support/gt.ts';

interface View {
  groups: { key: string; responses: number; input: number; output: number; models: { model: string }[] }[];
  warnings: string[];
}

describe('gt costs reads OpenCode', () => {
  const t = tempDir('gt costs opencode');
  const town = join(t.dir, 'town');
  const data = join(t.dir, 'xdg data');
  const workdir = join(town, 'web', 'polecats', 'nux');
  let bead = '';
  const costs = (by: string): View =>
    gtJson<View>(town, ['costs', '--json', '--by', by], { env: { XDG_DATA_HOME: data } });

  beforeAll(() => {
    gtJson(t.dir, ['install', town]);
    bead = gtJson<{ id: string }>(town, ['bd', 'create', 'Greet from OpenCode']).id;
    const store = openTownStore(loadTown(town, {}), { clock: () => new Date('2026-12-01T00:00:00.000Z') });
    try {
      recordStart(store, {
        address: 'web/nux',
        role: 'polecat',
        rig: 'web',
        name: 'nux',
        runtime: 'opencode',
        session: null,
        workdir,
        state: 'working',
        started_at: null,
        last_activity: null,
      });
      recordTownEvent(store, {
        kind: TOWN_EVENTS.sling.hooked,
        subject: bead,
        data: { polecat: 'web/nux', fromQueue: false },
      });
    } finally {
      store.close();
    }
    const db = openCodeFixtureDb(join(data, 'opencode', 'opencode.db'), workdir);
    // A person's own OpenCode session in another directory, in the same database.
    const w = new DatabaseSync(db);
    w.exec(`INSERT INTO session (id, project_id, slug, directory, title, version, time_created, time_updated)
            VALUES ('ses_mine', 'global', 'mine', '/home/someone/notes', 'mine', '1.18.33', 1796558830000, 1796558830000)`);
    w.prepare('INSERT INTO message (id, session_id, time_created, time_updated, data) VALUES (?, ?, ?, ?, ?)').run(
      'msg_mine',
      'ses_mine',
      1796558840000,
      1796558840000,
      JSON.stringify({
        role: 'assistant',
        modelID: 'test-model',
        path: { cwd: '/home/someone/notes', root: '/' },
        time: { created: 1796558839000, completed: 1796558840000 },
        tokens: { input: 999, output: 9, reasoning: 0, cache: { read: 0, write: 0 } },
      }),
    );
    w.close();
  });
  afterAll(() => t.cleanup());

  it("counts each response OpenCode stored for the agent's session once, on the bead it was working on", () => {
    const first = costs('agent');
    expect(first.warnings).toEqual([]);
    // The captured session: a response calling bash (7677 in, 11 out) and the closing text (7736 in, 3 out).
    expect(first.groups).toEqual([
      expect.objectContaining({ key: 'web/nux', responses: 2, input: 7677 + 7736, output: 11 + 3 }),
    ]);
    expect(first.groups[0]!.models.map((m) => m.model)).toEqual(['test-model']);
    expect(costs('agent').groups).toEqual(first.groups);
    expect(costs('bead').groups).toEqual([expect.objectContaining({ key: bead, responses: 2 })]);
  });
});
