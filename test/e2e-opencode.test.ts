// A polecat on the real OpenCode CLI (interactive, in the town's tmux) against the scripted model server's OpenAI
// Chat Completions dialect, through an OpenAI-compatible provider in the OpenCode config file the test gives it
// (OPENCODE_CONFIG): `gt sling <bead> web --agent opencode` starts it, gt types its first prompt once the TUI is
// ready; the model has it run `gt prime` (no hooks are installed for OpenCode), write the file its hook asks for and
// run `gt done`; the refinery lands the bead. Skips (loudly) only if the OpenCode CLI cannot start.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { OPENCODE_BIN, openCodeTestEnv, prepareOpenCodeConfig } from '../testing/opencode/index.ts';
import { openCodeResponder, scriptedModel, startModelServer, type ChatRequest, type ModelServer } from '../testing/model-server/index.ts';
import { scriptedPromptedPolecat } from '../testing/model-server/openai-codex.ts';
import { dumpE2eState, git, gtAsync, gtJson, queryTown, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-e2e-opencode-${process.pid}`;
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');

/** Whether the pinned CLI starts at all: the only reason this suite may skip. */
const cliProbe = spawnSync(OPENCODE_BIN, ['--version'], { encoding: 'utf8', timeout: 60_000 });
const cliStarts = cliProbe.status === 0 && /\d+\.\d+/.test(cliProbe.stdout);
if (!cliStarts) console.error(`\n!!! SKIPPING test/e2e-opencode.test.ts: the OpenCode CLI (${OPENCODE_BIN}) cannot start: ${cliProbe.error?.message ?? cliProbe.stderr ?? `exit ${cliProbe.status}`}\n`);

describe.skipIf(!cliStarts)('an OpenCode polecat, end to end', () => {
  let town = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  let env: Record<string, string> = {};
  const script = scriptedModel([scriptedPromptedPolecat()]);
  const tmux = createTmux({ socket: SOCKET });
  const beadStatus = (id: string): string | undefined => queryTown<{ status: string }>(town, 'SELECT status FROM issues WHERE id = ?', id)[0]?.status;
  const mainFile = (path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, 'web', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };
  const dumpState = (): Promise<string> => dumpE2eState('opencode', { scriptLog: script.log, requests: server.requests, town, env, tmux });
  const until = async <T,>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      const gaveUp = script.log.find((e) => e.text?.startsWith('Giving up'))?.text;
      if (gaveUp) throw new Error(`while waiting for ${what}: ${gaveUp}; state written to ${await dumpState()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; state written to ${await dumpState()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    const t = tempDir('gt e2e opencode');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
    const respond = openCodeResponder(script.respond);
    server = await startModelServer({
      respondChat: async (req: ChatRequest, info) => {
        const answer = await respond(req, info);
        if (process.env.E2E_VERBOSE) process.stderr.write(`[e2e-opencode ${new Date().toISOString().slice(11, 19)}] #${info.index} ${JSON.stringify(typeof answer === 'string' ? answer : answer.content).slice(0, 300)}\n`);
        return answer;
      },
    });
    // The provider's config lives with the town's settings: the file the opencode agent is started with.
    const config = prepareOpenCodeConfig(join(town, 'settings', 'opencode'), server.url);
    env = {
      ...openCodeTestEnv(config, join(t.dir, 'opencode home')),
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

  it('gt sling --agent opencode: the polecat primes itself, writes its file, runs gt done, and the bead lands on main', async () => {
    const t0 = Date.now();
    const daemon = await gtAsync(town, ['daemon', 'start', '--json'], env);
    expect(daemon.code, daemon.stderr).toBe(0);
    const id = gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', 'Greet from OpenCode', '-d', 'File: "greet-opencode.txt" Content: "Hello from OpenCode\\n"']).id;

    const slung = await gtAsync(town, ['sling', id, 'web', '--agent', 'opencode', '--json'], env);
    expect(slung.code, `${slung.stdout}\n${slung.stderr}`).toBe(0);
    await until(() => beadStatus(id) === 'closed', 'the bead to land', 150_000);
    expect(mainFile('greet-opencode.txt')).toBe('Hello from OpenCode\n');
    expect(git(join(town, 'web', '.repo.git'), ['log', '--format=%s', 'main', '--', 'greet-opencode.txt']).trim()).toBe(`Greet from OpenCode (${id})`);

    // The model drove it step by step through OpenCode's own tools: gt prime first, gt done last.
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps).toEqual([`prime-${id}`, `write-${id}`, `done-${id}`]);
    // The hook reached the model only through `gt prime`'s output, sent back as a tool message.
    const toolOutputs = server.requests.flatMap((r) => ((r.body as ChatRequest)?.messages ?? []).filter((m) => (m as { role?: string }).role === 'tool'));
    expect(toolOutputs.some((m) => JSON.stringify(m).includes(`## Your hook: ${id} Greet from OpenCode`))).toBe(true);
    const calls = server.requests.flatMap((r) => ((r.body as ChatRequest)?.messages ?? []).flatMap((m) => (m as { tool_calls?: { function?: { name?: string } }[] }).tool_calls ?? []));
    expect(new Set(calls.map((c) => c.function?.name))).toEqual(new Set(['bash', 'write']));
    console.log(`[e2e-opencode] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${server.requests.length} model requests`);
  }, 240_000);
});
