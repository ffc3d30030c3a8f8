// gt costs and gt costs record on a fixture town: transcripts (a captured real one and hand-made ones) read into
// the usage table once each, attributed to agent, rig, bead and convoy, grouped every way, narrowed by --since.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSessionId, recordStart } from '../src/agents/index.ts';
import { loadTown, openTownStore, recordTownEvent } from '../src/town/index.ts';
import { expectFailure, gt, gtJson, tempDir } from './support/gt.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/claude-transcripts');

interface Group {
  key: string;
  responses: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  cost_usd: number;
  unpriced: boolean;
  models: { model: string; cost_usd: number | null }[];
}
interface View {
  by: string;
  since: string | null;
  groups: Group[];
  total: Omit<Group, 'key'>;
  budgets: { reached: { key: string }[] };
}

const line = (
  id: string,
  at: string,
  o: { model?: string; input?: number; output?: number; cache_read?: number; cwd?: string; session?: string } = {},
): string =>
  JSON.stringify({
    type: 'assistant',
    sessionId: o.session ?? 'sess-slit',
    timestamp: at,
    cwd: o.cwd ?? '/nowhere',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: o.model ?? 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'x' }],
      usage: {
        input_tokens: o.input ?? 1_000_000,
        output_tokens: o.output ?? 0,
        cache_read_input_tokens: o.cache_read ?? 0,
        cache_creation_input_tokens: 0,
      },
    },
  });

describe('gt costs', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  let bead = '';
  let convoy = '';
  let config = '';
  const costs = (args: string[] = []): View =>
    gtJson<View>(town, ['costs', ...args], { env: { CLAUDE_CONFIG_DIR: config } });

  beforeAll(() => {
    const t = tempDir('gt costs');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    config = join(base, 'claude config');
    gtJson(base, ['install', town]);
    bead = gtJson<{ id: string }>(town, ['bd', 'create', 'Fix the login']).id;
    convoy = gtJson<{ id: string }>(town, ['convoy', 'create', 'Login', bead]).id;
    // The history attribution reads: the bead was hooked to web/slit at 10:00 on Jan 2.
    const store = openTownStore(loadTown(town, {}));
    try {
      recordStart(store, {
        address: 'web/slit',
        role: 'polecat',
        rig: 'web',
        name: 'slit',
        runtime: 'claude',
        session: null,
        workdir: join(town, 'web', 'polecats', 'slit'),
        state: 'working',
        started_at: null,
        last_activity: null,
      });
      recordSessionId(store, 'web/slit', 'sess-slit', new Date().toISOString());
    } finally {
      store.close();
    }
    // Hooked in the past: recorded through a store whose clock says so.
    const then = openTownStore(loadTown(town, {}), { clock: () => new Date('2026-01-02T10:00:00.000Z') });
    try {
      recordTownEvent(then, { kind: 'sling.hooked', subject: bead, data: { polecat: 'web/slit', fromQueue: false } });
    } finally {
      then.close();
    }
  });
  afterAll(() => cleanup());

  it('records a captured transcript once, however often it is read', () => {
    const path = join(base, 'tool-turn.jsonl');
    copyFileSync(join(FIXTURES, 'tool-turn.jsonl'), path);
    const first = gtJson<{ added: number; read: number; address: string }[]>(town, [
      'costs',
      'record',
      '--transcript',
      path,
      '--address',
      'mayor',
    ]);
    expect(first).toEqual([expect.objectContaining({ added: 2, read: 2, address: 'mayor', skipped: 0 })]);
    expect(
      gtJson<{ added: number; status: string }[]>(town, ['costs', 'record', '--transcript', path])[0],
    ).toMatchObject({ added: 0, status: 'unchanged' });
    // The hook form: the JSON Claude Code sends on stdin.
    const hook = gt(town, ['costs', 'record'], {
      input: JSON.stringify({ session_id: 'bb0d28b9', transcript_path: path, hook_event_name: 'Stop' }),
      env: { GT_ADDRESS: 'mayor' },
    });
    expect(hook).toMatchObject({ code: 0, stderr: '' });
    const v = costs(['--by', 'agent']);
    expect(v.groups).toEqual([
      expect.objectContaining({ key: 'mayor', responses: 2, input: 13564 + 13676, output: 29 + 7 }),
    ]);
  });

  it("finds a live agent's transcript by its session id, and skips garbage lines with a warning", () => {
    const dir = join(config, 'projects', join(town, 'web', 'polecats', 'slit').replace(/[^A-Za-z0-9]/g, '-'));
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'sess-slit.jsonl');
    writeFileSync(
      path,
      [
        line('m-before', '2026-01-02T09:00:00.000Z', { output: 1000 }),
        'this is not json',
        line('m-on-bead', '2026-01-02T11:00:00.000Z', { model: 'claude-haiku-4-5', cache_read: 1_000_000 }),
        line('m-on-bead', '2026-01-02T11:00:00.000Z', { model: 'claude-haiku-4-5', cache_read: 1_000_000 }),
        line('m-today', new Date().toISOString(), { model: 'no-such-model', input: 10 }),
      ].join('\n') + '\n',
    );
    const r = gt(town, ['costs', '--json'], { env: { CLAUDE_CONFIG_DIR: config } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*sess-slit\.jsonl: skipped 1 line that is not JSON \(line 2\)/m);
    // Read once: the warning does not repeat, the counts do not double.
    const again = gt(town, ['costs', '--json'], { env: { CLAUDE_CONFIG_DIR: config } });
    expect(again.stderr).toBe('');
    const slit = (JSON.parse(again.stdout) as View).groups.find((g) => g.key === 'web/slit')!;
    expect(slit).toMatchObject({ responses: 3, input: 2_000_010, output: 1000, cache_read: 1_000_000, unpriced: true });
    expect(slit.cost_usd).toBeCloseTo(3 + 0.015 + 1 + 0.1, 6);
  });

  it('groups by rig, bead, convoy, day and model', () => {
    expect(costs(['--by', 'rig']).groups.map((g) => [g.key, g.responses])).toEqual([
      ['web', 3],
      ['(town)', 2],
    ]);
    const beads = costs(['--by', 'bead']).groups;
    expect(beads.find((g) => g.key === bead)).toMatchObject({ responses: 2, cache_read: 1_000_000 });
    expect(costs(['--by', 'convoy']).groups.find((g) => g.key === convoy)).toMatchObject({ responses: 2 });
    const days = costs(['--by', 'day']).groups.map((g) => g.key);
    expect(days[0]).toBe('2026-01-02');
    expect(days).toEqual([...days].sort());
    const models = costs(['--by', 'model']).groups;
    expect(models.map((g) => g.key).sort()).toEqual([
      'claude-haiku-4-5',
      'claude-opus-5-5',
      'claude-sonnet-4-5',
      'no-such-model',
    ]);
    expect(models.find((g) => g.key === 'no-such-model')?.models[0]?.cost_usd).toBeNull();
  });

  it('narrows by --since (a date or a duration) and prints a table without --json', () => {
    const since = costs(['--since', '2026-01-02T10:30:00Z']);
    expect(since.total.responses).toBe(4);
    expect(
      costs(['--since', '1h'])
        .groups.map((g) => g.key)
        .sort(),
    ).toEqual(['mayor', 'web/slit'].filter((k) => k !== 'mayor' || isRecent()));
    const text = gt(town, ['costs', '--by', 'convoy'], { env: { CLAUDE_CONFIG_DIR: config } }).stdout;
    expect(text).toMatch(/^Costs by convoy/);
    // The response of today is still on the bead hooked since Jan 2, so under its convoy; one model has no price.
    expect(text).toMatch(new RegExp(`${convoy}\\s+1,000,010\\s+0\\s+1,000,000\\s+0\\s+\\$1\\.1000\\+`));
    expect(text).toMatch(/TOTAL/);
    expect(text).toMatch(/Budgets: none set/);
  });

  it('refuses an unknown --by or --since as a usage error', () => {
    expectFailure(gt(town, ['costs', '--by', 'colour']), 2, /--by "colour" is not a grouping/);
    expectFailure(gt(town, ['costs', '--since', 'yesterday']), 2, /--since "yesterday"/);
  });

  it('never fails as a hook: no transcript, bad stdin, a missing file', () => {
    expect(gt(town, ['costs', 'record'], { input: 'garbage' })).toMatchObject({ code: 0 });
    expect(gt(town, ['costs', 'record'], { input: '{"transcript_path": "/no/such/file.jsonl"}' })).toMatchObject({
      code: 0,
    });
    expect(gt(base, ['costs', 'record'], { input: '{"transcript_path": "/x.jsonl"}' }).code).toBe(0);
    appendFileSync(join(base, 'tool-turn.jsonl'), '{"torn');
    expect(gt(town, ['costs', 'record', '--transcript', join(base, 'tool-turn.jsonl')]).code).toBe(0);
    expect(readFileSync(join(base, 'tool-turn.jsonl'), 'utf8').endsWith('{"torn')).toBe(true);
  });
});

/** The captured transcript's responses are dated when it was captured; they count as recent only if that was < 1 h ago. */
function isRecent(): boolean {
  const at = /"timestamp":"([^"]+)"/.exec(readFileSync(join(FIXTURES, 'tool-turn.jsonl'), 'utf8'))?.[1];
  return at !== undefined && Date.now() - Date.parse(at) < 3_600_000;
}
