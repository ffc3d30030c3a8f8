// Scenario 1's polecat part on the real Codex CLI (interactive, in the town's tmux, against the scripted model
// server's Responses dialect): `gt sling <bead> web --agent codex` starts a Codex polecat, gt passes its folder-trust
// dialog and types its first prompt; the model has it run `gt prime` (Codex has no session-start hook), write the
// file its hook asks for, commit and run `gt done`; the refinery lands the bead on main.
// Skips (loudly) only if the Codex CLI cannot start.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { startModelServer, scriptedModel, type ModelServer } from '../testing/model-server/index.ts';
import { CODEX_BIN, codexTestEnv, prepareCodexHome, scriptedPromptedPolecat } from '../testing/model-server/openai-codex.ts';
import { codexResponder } from '../testing/model-server/openai-responses-reader.ts';
import { dumpE2eState, gtAsync, git, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-e2e-codex-${process.pid}`;
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');

/** Whether the pinned CLI starts at all: the only reason this suite may skip. */
const cliProbe = spawnSync(CODEX_BIN, ['--version'], { encoding: 'utf8', timeout: 60_000 });
const cliStarts = cliProbe.status === 0 && /\d+\.\d+/.test(cliProbe.stdout);
if (!cliStarts) console.error(`\n!!! SKIPPING test/e2e-codex.test.ts: the Codex CLI (${CODEX_BIN}) cannot start: ${cliProbe.error?.message ?? cliProbe.stderr ?? `exit ${cliProbe.status}`}\n`);

describe.skipIf(!cliStarts)('a Codex polecat, end to end', () => {
  let town = '';
  let codexHome = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  let env: Record<string, string> = {};
  const script = scriptedModel([scriptedPromptedPolecat()]);
  const tmux = createTmux({ socket: SOCKET });
  const beadStatus = (id: string): string | undefined => {
    const d = new DatabaseSync(join(town, '.beads', 'beads.db'));
    try {
      d.exec('PRAGMA busy_timeout = 10000');
      return (d.prepare('SELECT status FROM issues WHERE id = ?').get(id) as { status: string } | undefined)?.status;
    } finally {
      d.close();
    }
  };
  const mainFile = (path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, 'web', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };

  /** Writes what the model and the panes saw, for a timeout's message. */
  const dumpState = (): Promise<string> =>
    dumpE2eState('codex', { scriptLog: script.log, requests: server.requests, town, env, tmux });
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
    const t = tempDir('gt e2e codex');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
    const respond = codexResponder(script.respond);
    server = await startModelServer({
      respondResponses: async (req, info) => {
        const answer = await respond(req, info);
        // E2E_VERBOSE=1 shows each answer as it is made (agent, step or text).
        if (process.env.E2E_VERBOSE) process.stderr.write(`[e2e-codex ${new Date().toISOString().slice(11, 19)}] #${info.index} ${JSON.stringify(typeof answer === 'string' ? answer : answer.content)}\n`);
        return answer;
      },
    });
    codexHome = prepareCodexHome(join(t.dir, 'codex home'), server.url);
    env = {
      ...codexTestEnv(codexHome),
      GT_TMUX_SOCKET: SOCKET,
      GT_DAEMON_TICK_MS: '1000',
      GT_DAEMON_GRACE_MS: '3000',
      PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
    };
  });
  afterAll(async () => {
    if (town) await gtAsync(town, ['daemon', 'stop'], env);
    await tmux.killServer();
    // Codex may leave helpers (an app-server daemon) behind: only ours, found by our CODEX_HOME.
    if (codexHome) {
      const ours = spawnSync('pgrep', ['-f', codexHome], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
      for (const pid of ours) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await server?.close();
    cleanup();
  });

  it('gt sling --agent codex: the polecat primes itself, writes its file, runs gt done, and the bead lands on main', async () => {
    const t0 = Date.now();
    const daemon = await gtAsync(town, ['daemon', 'start', '--json'], env);
    expect(daemon.code, daemon.stderr).toBe(0);
    const id = gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', 'Greet from Codex', '-d', 'File: "greet-codex.txt" Content: "Hello from Codex\\n"']).id;

    const slung = await gtAsync(town, ['sling', id, 'web', '--agent', 'codex', '--json'], env);
    expect(slung.code, `${slung.stdout}\n${slung.stderr}`).toBe(0);
    await until(() => beadStatus(id) === 'closed', 'the bead to land', 150_000);
    expect(mainFile('greet-codex.txt')).toBe('Hello from Codex\n');
    expect(git(join(town, 'web', '.repo.git'), ['log', '--format=%H', 'main', '--', 'greet-codex.txt']).split('\n').filter(Boolean)).toHaveLength(1);

    // The model drove it step by step, each one a Codex exec_command that succeeded: gt prime first, gt done last.
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps[0]).toBe(`prime-${id}`);
    expect(steps).toContain(`write-${id}`);
    expect(steps.at(-1)).toBe(`done-${id}`);
    // The hook reached the model only through `gt prime`'s output, sent back as a function_call_output.
    const outputs = server.requests.flatMap((r) => ((r.body as { input?: { type?: string; output?: unknown }[] })?.input ?? []).filter((i) => i.type === 'function_call_output'));
    expect(outputs.some((o) => String(o.output).includes(`## Your hook: ${id} Greet from Codex`))).toBe(true);
    // A brand-new worktree: Codex asked whether to trust it, and recorded the answer gt gave.
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toMatch(/trust_level = "trusted"/);
    console.log(`[e2e-codex] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${server.requests.length} model requests`);
  }, 240_000);
});
