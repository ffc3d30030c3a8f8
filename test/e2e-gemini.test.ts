// Gas Town on the real Gemini CLI (interactive, in the town's tmux, against the scripted model server's Gemini
// dialect): `gt sling <bead> web --agent gemini` starts a Gemini polecat whose SessionStart hook (Gas Town's settings
// file, reached through GEMINI_CLI_SYSTEM_DEFAULTS_PATH) primes it and records its session id; the model has it write
// the file its hook asks for and run `gt done`; the refinery lands the bead; the AfterAgent hook puts its tokens in
// `gt costs`. A Gemini Mayor is restarted with `gt mayor restart` and resumes its conversation.
// Skips (loudly) only if the Gemini CLI cannot start.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { GEMINI_BIN, geminiTestEnv, prepareGeminiHome } from '../testing/gemini/index.ts';
import {
  geminiResponder, primedAs, requestText, scriptedModel, scriptedPolecat, startModelServer, messagesFromGemini,
  type AgentScript, type GeminiRequest, type ModelServer,
} from '../testing/model-server/index.ts';
import { dumpE2eState, git, gtAsync, gtJson, queryTown, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-e2e-gemini-${process.pid}`;
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const WORD = 'pelican';

/** Whether the pinned CLI starts at all: the only reason this suite may skip. */
const cliProbe = spawnSync(GEMINI_BIN, ['--version'], { encoding: 'utf8', timeout: 60_000 });
const cliStarts = cliProbe.status === 0 && /\d+\.\d+/.test(cliProbe.stdout);
if (!cliStarts) console.error(`\n!!! SKIPPING test/e2e-gemini.test.ts: the Gemini CLI (${GEMINI_BIN}) cannot start: ${cliProbe.error?.message ?? cliProbe.stderr ?? `exit ${cliProbe.status}`}\n`);

/** The scripted Mayor: it answers "Noted." to the word it is told, and asked to say it, repeats the word it was told. */
function scriptedMayor(): AgentScript {
  return {
    name: 'mayor',
    matches: (c) => primedAs(c.text)?.address === 'mayor',
    plan: () => [],
    finish: (c) => {
      const told = /Remember the word: (\w+)/.exec(c.text)?.[1];
      return /Say the word\b/.test(c.text) ? `The word was ${told ?? 'never told'}.` : 'Noted.';
    },
  };
}

describe.skipIf(!cliStarts)('Gas Town on the real Gemini CLI, end to end', () => {
  let town = '';
  let geminiHome = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  let env: Record<string, string> = {};
  const script = scriptedModel([scriptedMayor(), scriptedPolecat()]);
  const tmux = createTmux({ socket: SOCKET });
  const beadStatus = (id: string): string | undefined => queryTown<{ status: string }>(town, 'SELECT status FROM issues WHERE id = ?', id)[0]?.status;
  const mainFile = (path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, 'web', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };
  /** The conversation turns (requests offering tools) as the script read them, with their index. */
  const turns = (): { index: number; text: string; body: GeminiRequest }[] =>
    server.requests.flatMap((r, index) => {
      const body = r.body as GeminiRequest;
      if (!r.path.includes(':streamGenerateContent') || !body?.tools?.length) return [];
      return [{ index, text: requestText(messagesFromGemini(body)), body }];
    });
  /** Gemini's own record of its sessions: `<home>/.gemini/tmp/<project>/chats/session-*.jsonl`, first line the header. */
  const geminiSessions = (): { id: string; file: string }[] => {
    const tmp = join(geminiHome, '.gemini', 'tmp');
    return readdirSync(tmp).flatMap((p) => {
      const chats = join(tmp, p, 'chats');
      if (!existsSync(chats)) return [];
      return readdirSync(chats).map((f) => ({ id: (JSON.parse(readFileSync(join(chats, f), 'utf8').split('\n')[0]!) as { sessionId: string }).sessionId, file: join(chats, f) }));
    });
  };
  const dumpState = (): Promise<string> => dumpE2eState('gemini', { scriptLog: script.log, requests: server.requests, town, env, tmux });
  const until = async <T,>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      const gaveUp = script.log.find((e) => e.text?.startsWith('Giving up'))?.text;
      if (gaveUp) throw new Error(`while waiting for ${what}: ${gaveUp}; state written to ${await dumpState()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; state written to ${await dumpState()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    const t = tempDir('gt e2e gemini');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
    const respond = geminiResponder(script.respond);
    server = await startModelServer({
      respondGemini: async (req, info) => {
        const answer = await respond(req, info);
        if (process.env.E2E_VERBOSE) process.stderr.write(`[e2e-gemini ${new Date().toISOString().slice(11, 19)}] #${info.index} ${info.model} ${JSON.stringify(typeof answer === 'string' ? answer : answer.content).slice(0, 300)}\n`);
        return answer;
      },
    });
    geminiHome = prepareGeminiHome(join(t.dir, 'gemini home'));
    env = {
      ...geminiTestEnv(server.url, geminiHome),
      GT_TMUX_SOCKET: SOCKET,
      GT_DAEMON_TICK_MS: '1000',
      GT_DAEMON_GRACE_MS: '3000',
      PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
    };
  });
  afterAll(async () => {
    if (town) await gtAsync(town, ['daemon', 'stop'], env);
    await tmux.killServer();
    await server?.close();
    cleanup();
  });

  it('gt sling --agent gemini: the SessionStart hook primes the polecat, it writes its file, runs gt done, the bead lands, gt costs counts it', async () => {
    const t0 = Date.now();
    const daemon = await gtAsync(town, ['daemon', 'start', '--json'], env);
    expect(daemon.code, daemon.stderr).toBe(0);
    const id = gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', 'Greet from Gemini', '-d', 'File: "greet-gemini.txt" Content: "Hello from Gemini\\n"']).id;

    const slung = await gtAsync(town, ['sling', id, 'web', '--agent', 'gemini', '--json'], env);
    expect(slung.code, `${slung.stdout}\n${slung.stderr}`).toBe(0);
    const polecat = (JSON.parse(slung.stdout) as { results: { polecat: string }[] }).results[0]!.polecat;
    await until(() => beadStatus(id) === 'closed', 'the bead to land', 150_000);
    // Its last turn (the text after `gt done`) may come after the landing.
    await until(() => script.log.some((e) => e.agent === 'polecat' && e.text === 'My hook is done and queued for merge.'), 'the polecat to end its turn', 30_000);
    expect(mainFile('greet-gemini.txt')).toBe('Hello from Gemini\n');
    expect(git(join(town, 'web', '.repo.git'), ['log', '--format=%s', 'main', '--', 'greet-gemini.txt']).trim()).toBe(`Greet from Gemini (${id})`);

    // The scripted polecat only works from a prime it finds in its context: the first turn already holds the hook,
    // inside the <hook_context> Gemini adds for a SessionStart hook's additionalContext (no `gt prime` step ran).
    const mine = turns().filter((t) => primedAs(t.text)?.address === polecat);
    expect(mine.length).toBeGreaterThan(0);
    expect(JSON.stringify(mine[0]!.body.contents)).toMatch(new RegExp(`<hook_context>[^]*## Your hook: ${id} Greet from Gemini`));
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps).toEqual([`write-${id}`, `done-${id}`]);

    // The hook recorded Gemini's session id: the one of the chat file Gemini wrote for this worktree.
    const row = queryTown<{ session_id: string | null; runtime: string }>(town, 'SELECT session_id, runtime FROM agents WHERE address = ?', polecat)[0]!;
    expect(row.runtime).toBe('gemini');
    expect(geminiSessions().map((s) => s.id)).toContain(row.session_id);

    // gt costs: the AfterAgent hook read the chat file; its tokens are what the server reported for the turns.
    const sessionFile = geminiSessions().find((s) => s.id === row.session_id)!.file;
    const turnIndexes = new Set(mine.map((t) => t.index));
    const reported = server.usage().requests.filter((u) => turnIndexes.has(u.index));
    const costs = await until(async () => {
      const r = await gtAsync(town, ['costs', '--json', '--by', 'agent'], env);
      if (r.code !== 0) return undefined;
      const v = JSON.parse(r.stdout) as { groups: { key: string; responses: number; input: number; output: number }[] };
      const g = v.groups.find((x) => x.key === polecat);
      return g && g.responses >= reported.length ? g : undefined;
    }, 'gt costs to count the polecat', 30_000);
    expect(costs, sessionFile).toMatchObject({
      responses: reported.length,
      input: reported.reduce((n, u) => n + u.usage.input_tokens, 0),
      output: reported.reduce((n, u) => n + u.usage.output_tokens, 0),
    });
    console.log(`[e2e-gemini] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${server.requests.length} model requests`);
  }, 200_000);

  it('gt mayor restart resumes the Gemini Mayor\'s conversation by the session id its hook recorded', async () => {
    const t0 = Date.now();
    const started = await gtAsync(town, ['mayor', 'start', '--agent', 'gemini', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ status: 'started', agent: 'gemini', readyBy: 'prompt' });
    const told = await gtAsync(town, ['nudge', 'mayor', `Remember the word: ${WORD}`], env);
    expect(told.code, told.stderr).toBe(0);
    await until(() => script.log.some((e) => e.agent === 'mayor' && e.text === 'Noted.'), 'the Mayor to note the word', 60_000);
    const sessionId = await until(() => queryTown<{ session_id: string | null }>(town, "SELECT session_id FROM agents WHERE address = 'mayor'")[0]?.session_id, 'the Mayor session id', 10_000);

    const restarted = await gtAsync(town, ['mayor', 'restart', '--json'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ status: 'started', agent: 'gemini', resumed: true });
    const before = server.requests.length;
    const asked = await gtAsync(town, ['nudge', 'mayor', 'Say the word'], env);
    expect(asked.code, asked.stderr).toBe(0);
    const answer = await until(() => script.log.find((e) => e.agent === 'mayor' && e.index >= before && e.text?.startsWith('The word was')), 'the Mayor to answer after the restart', 60_000);
    // The restarted CLI sent the conversation of before the restart: the word it was told is in its context.
    expect(answer.text).toBe(`The word was ${WORD}.`);
    expect(queryTown<{ session_id: string | null }>(town, "SELECT session_id FROM agents WHERE address = 'mayor'")[0]?.session_id).toBe(sessionId);
    console.log(`[e2e-gemini] mayor restart and resume: ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 150_000);
});
