// gt seance: the sessions an agent's runtime reported at start (gt prime --hook), what each did as its Claude Code
// transcript tells, and a question to one of them through a forked resume of its id. A stand-in runtime based on the
// Claude preset: the fake TUI in tmux (private socket) for the session, and for `--print` it answers with its argv.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { escapeProjectDir } from '../src/costs/transcript.ts';
import { expectFailure, FAKE_TUI, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-seance-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Session {
  session_id: string;
  runtime: string;
  bead: string | null;
  workdir: string;
  transcript: string | null;
  summary: { prompts: string[]; tool_calls: number; last_tools: string[]; final_message: string | null } | null;
}

describe('gt seance', () => {
  let base = '';
  let town = '';
  let clone = '';
  let claudeDir = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const hook = (sessionId: string): void => {
    const r = gt(clone, ['prime', '--hook'], {
      env,
      input: JSON.stringify({ session_id: sessionId, source: 'startup' }),
    });
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    const t = tempDir('gt seance');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    claudeDir = join(base, 'claude config');
    gtJson(base, ['install', town]);
    const seer = join(base, 'seer agent.sh');
    // --print: answer with where it runs and what it was given; otherwise the fake TUI (a session in tmux).
    writeFileSync(
      seer,
      `#!/bin/sh\ncase " $* " in *" --print "*) printf '{"result":"in %s: %s"}' "$(pwd)" "$*"; exit 0;; esac\nexec '${process.execPath}' '${FAKE_TUI}' --log '${join(base, 'tui.log')}'\n`,
      { mode: 0o755 },
    );
    const path = join(town, 'settings', 'config.json');
    const s = JSON.parse((await import('node:fs')).readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      path,
      JSON.stringify(
        {
          ...s,
          agents: {
            seer: {
              command: seer,
              preset: 'claude',
              env: { CLAUDE_CONFIG_DIR: claudeDir },
              ready_prompt: '^>(\\s|$)',
              ready_delay_ms: 20000,
            },
          },
          role_agents: { crew: 'seer' },
        },
        null,
        2,
      ),
    );
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
    clone = join(town, 'app', 'crew', 'alice');
    const started = gt(town, ['crew', 'start', 'alice', '--rig', 'app'], { env });
    expect(started.code, started.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('lists the sessions the runtime reported (a repeated report is one), newest first, with what the transcript says', () => {
    hook('sess-one');
    hook('sess-one'); // a resume or compaction reports the same id again
    const project = join(claudeDir, 'projects', escapeProjectDir(clone));
    mkdirSync(project, { recursive: true });
    const line = (o: unknown): string => JSON.stringify(o);
    writeFileSync(
      join(project, 'sess-one.jsonl'),
      [
        line({
          type: 'user',
          timestamp: '2026-12-06T09:00:00.000Z',
          message: { role: 'user', content: 'Fix the login timeout' },
        }),
        line({
          type: 'assistant',
          timestamp: '2026-12-06T09:00:05.000Z',
          message: {
            content: [
              { type: 'text', text: 'Looking.' },
              { type: 'tool_use', name: 'Read', input: {} },
            ],
          },
        }),
        'not json at all',
        line({
          type: 'user',
          timestamp: '2026-12-06T09:01:00.000Z',
          message: { role: 'user', content: [{ type: 'tool_result', content: 'ok' }] },
        }),
        line({
          type: 'assistant',
          timestamp: '2026-12-06T09:02:00.000Z',
          message: {
            content: [
              { type: 'tool_use', name: 'Bash', input: {} },
              { type: 'text', text: 'Raised the timeout to 30 s; gt done next.' },
            ],
          },
        }),
      ].join('\n'),
    );
    hook('sess-two');
    const list = gtJson<Session[]>(town, ['seance', 'app/crew/alice']);
    expect(list.map((x) => x.session_id)).toEqual(['sess-two', 'sess-one']);
    expect(list[1]).toMatchObject({
      runtime: 'seer',
      workdir: clone,
      summary: {
        prompts: ['Fix the login timeout'],
        tool_calls: 2,
        last_tools: ['Read', 'Bash'],
        final_message: 'Raised the timeout to 30 s; gt done next.',
      },
    });
    expect(list[0]!.transcript).toBeNull();
    const text = gt(town, ['seance', 'app/crew/alice', '-n', '2']).stdout;
    expect(text).toMatch(
      /sess-one {2}seer\n {2}ran 2026-12-06 09:00:00 → 2026-12-06 09:02:00; 2 tool calls \(last: Read, Bash\)\n {2}> Fix the login timeout\n {2}last words: Raised the timeout/,
    );
    expect(text).toMatch(/sess-two {2}seer\n {2}no transcript found/);
    expect(gtJson<Session[]>(town, ['seance', 'app/crew/alice', '-n', '1']).map((x) => x.session_id)).toEqual([
      'sess-two',
    ]);
    // From inside the agent's own environment, no address is needed.
    expect(gtJson<Session[]>(clone, ['seance'], { env: { GT_ADDRESS: 'app/crew/alice' } })).toHaveLength(2);
  });

  it('--talk <id> -p asks the session one question through a forked resume of its id, in its working directory', () => {
    const r = gtJson<{ answer: string }>(town, [
      'seance',
      'app/crew/alice',
      '--talk',
      'sess-one',
      '-p',
      'why did you stop?',
    ]);
    expect(r.answer).toContain(`in ${clone}:`);
    expect(r.answer).toMatch(/--fork-session --resume sess-one --print --output-format json why did you stop\?$/);
    expect(gt(town, ['seance', 'app/crew/alice', '-t', 'sess-o', '-p', '-x?']).stdout).toMatch(
      /--resume sess-one --print --output-format json -- -x\?\n$/,
    );
  });

  it('refuses garbage in one line: unknown or ambiguous sessions, a question without --talk, no terminal, bad counts and addresses', () => {
    expectFailure(
      gt(town, ['seance', 'app/crew/alice', '--talk', 'nope', '-p', 'hi']),
      2,
      /app\/crew\/alice has no recorded session "nope"/,
    );
    expectFailure(
      gt(town, ['seance', 'app/crew/alice', '--talk', 'sess', '-p', 'hi']),
      2,
      /"sess" starts 2 sessions of app\/crew\/alice/,
    );
    expectFailure(
      gt(town, ['seance', 'app/crew/alice', '-p', 'hi']),
      2,
      /--prompt asks a session a question, so it needs --talk/,
    );
    expectFailure(
      gt(town, ['seance', 'app/crew/alice', '--talk', 'sess-one']),
      1,
      /talking to session sess-one needs an interactive terminal/,
    );
    expectFailure(
      gt(town, ['seance', 'app/crew/alice', '-n', '0']),
      2,
      /--recent must be a whole number from 1 to 1000, not "0"/,
    );
    expectFailure(gt(town, ['seance', '--bogus']), 2, /unknown option '--bogus'/);
    expect(gt(town, ['seance', 'app/crew/bob']).stdout).toBe(
      'No recorded sessions of app/crew/bob (runtimes report them at start, through gt prime --hook).\n',
    );
  });
});
