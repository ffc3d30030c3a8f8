// Gas Town end to end on the real Claude Code CLI (interactive, in the town's tmux, against the scripted model
// server): the Mayor plans and slings a convoy that three Claude polecats carry out and the refinery lands, each new
// worktree passed its trust dialog by gt; a polecat killed mid-task is restarted by the daemon and finishes; a
// polecat that hands off finds its note in the next session. Skips (loudly) only if the Claude CLI cannot start.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { CLAUDE_BIN, claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import {
  bash,
  primedAs,
  primedHook,
  requestText,
  scriptedModel,
  scriptedPolecat,
  shq,
  startModelServer,
  userTurns,
  type AgentScript,
  type MessagesRequest,
  type ModelServer,
  type ScriptContext,
} from '../testing/model-server/index.ts';
import { getBead, listBeads } from '../src/beads/index.ts';
import { TOWN_EVENTS } from '../src/kernel/index.ts';
import { countTownEvents, lastTownEvent } from '../src/town/index.ts';
import { dumpE2eState, gtAsync, git, gtJson, sourceRepo, tempDir, withTown } from './support/gt.ts';

const SOCKET = `gt-test-e2e-claude-${process.pid}`;
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');
const GOAL = 'Build the greetings feature: one file per language, en, fr and de.';
const GREETINGS = [
  { lang: 'en', title: 'Greet in English', content: 'Hello, world' },
  { lang: 'fr', title: 'Greet in French', content: 'Bonjour, le monde' },
  { lang: 'de', title: 'Greet in German', content: 'Hallo, Welt' },
];

/** Whether the pinned CLI starts at all: the only reason this suite may skip. */
const cliProbe = spawnSync(CLAUDE_BIN, ['--version'], {
  encoding: 'utf8',
  timeout: 60_000,
  env: { ...process.env, IS_SANDBOX: '1', DISABLE_AUTOUPDATER: '1' },
});
const cliStarts = cliProbe.status === 0 && /\d+\.\d+/.test(cliProbe.stdout);
if (!cliStarts)
  console.error(
    `\n!!! SKIPPING test/e2e-claude.test.ts: the Claude Code CLI (${CLAUDE_BIN}) cannot start: ${cliProbe.error?.message ?? cliProbe.stderr ?? `exit ${cliProbe.status}`}\n`,
  );

/** Set by the suite: writes what the model and the panes saw, for a timeout's message. */
let onTimeout: (() => Promise<string>) | undefined;
/** Set by the suite: a scripted agent that gave up (a step failed twice) fails the wait at once. */
let gaveUp: (() => string | undefined) | undefined;

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    const failed = gaveUp?.();
    if (failed) throw new Error(`while waiting for ${what}: ${failed}`);
    if (Date.now() > deadline) {
      const where = await onTimeout?.();
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${where ? `; state written to ${where}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The scripted Mayor: on the overseer's goal it creates three beads, a convoy and slings each bead (Bash). */
function scriptedMayor(): AgentScript {
  const idOf = (out: string | undefined): string | undefined => /\b(web-[a-z0-9]+)\b/.exec(out ?? '')?.[1];
  return {
    name: 'mayor',
    matches: (c) => primedAs(c.text)?.address === 'mayor',
    plan: (c: ScriptContext) => {
      if (!c.text.includes(GOAL)) return [];
      const creates = GREETINGS.map((g) =>
        bash(
          `create-${g.lang}`,
          `cd "$GT_ROOT/web" && bd create ${shq(g.title)} -d ${shq(`File: "greet-${g.lang}.txt" Content: "${g.content}\\n"`)} --silent`,
        ),
      );
      const ids = GREETINGS.map((g) => idOf(c.result(`create-${g.lang}`)));
      const ready = ids.every(Boolean);
      return [
        ...creates,
        ready && bash('convoy', `gt convoy create Greetings ${ids.join(' ')}`),
        ...(ready
          ? ids.map((id, i) => bash(`sling-${GREETINGS[i]!.lang}`, `gt sling ${id} web`, { timeoutMs: 300_000 }))
          : []),
      ];
    },
    finish: 'The greetings convoy is under way.',
  };
}

describe.skipIf(!cliStarts)('Gas Town on the real Claude Code CLI, end to end', () => {
  let base = '';
  let town = '';
  let configDir = '';
  let cleanup = (): void => {};
  let server: ModelServer;
  let env: Record<string, string> = {};
  const held = new Set<string>();
  const holdDone = new Set<string>();
  const script = scriptedModel([
    scriptedMayor(),
    scriptedPolecat({ doneDelayMs: (bead) => (holdDone.has(bead) && !held.has(bead) ? (held.add(bead), 600_000) : 0) }),
  ]);
  const tmux = createTmux({ socket: SOCKET });
  const beadStatus = (id: string): string | undefined => withTown(town, (s) => getBead(s.db, id)?.status);
  const mainFile = (path: string): string | undefined => {
    const r = spawnSync('git', ['-C', join(town, 'web', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : undefined;
  };
  /** Requests of the agent whose prime names `bead` on its hook. */
  const requestsFor = (bead: string): { index: number; body: MessagesRequest }[] =>
    server.requests
      .map((r, index) => ({ index, body: r.body as MessagesRequest, path: r.path }))
      .filter(
        (r) =>
          r.path === '/v1/messages' && Array.isArray(r.body?.tools) && primedHook(requestText(r.body))?.id === bead,
      );
  const createBead = (title: string, description: string): string =>
    gtJson<{ id: string }>(join(town, 'web'), ['bd', 'create', title, '-d', description]).id;

  gaveUp = () => script.log.find((e) => e.text?.startsWith('Giving up'))?.text;
  onTimeout = () => dumpE2eState('claude', { scriptLog: script.log, requests: server.requests, town, env, tmux });

  beforeAll(async () => {
    const t = tempDir('gt e2e claude');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, JSON.stringify({ ...settings, role_agents: { polecat: 'claude' } }, null, 2));
    sourceRepo(join(base, 'web src'), 'main', { 'README.md': '# web\n' });
    gtJson(town, ['rig', 'add', 'web', join(base, 'web src')]);
    server = await startModelServer({
      respond: async (req, info) => {
        const answer = await script.respond(req, info);
        // E2E_VERBOSE=1 shows each answer as it is made (agent, step or text).
        if (process.env.E2E_VERBOSE)
          process.stderr.write(
            `[e2e ${new Date().toISOString().slice(11, 19)}] #${info.index} ${JSON.stringify(script.log.at(-1))}\n`,
          );
        return answer;
      },
    });
    configDir = prepareClaudeConfigDir(join(base, 'claude config'));
    env = {
      ...claudeTestEnv(server.url),
      CLAUDE_CONFIG_DIR: configDir,
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

  it('the Mayor creates, convoys and slings three beads; three Claude polecats land them; the landing mail reaches the Mayor', async () => {
    const t0 = Date.now();
    const start = await gtAsync(town, ['mayor', 'start', '--json'], env);
    expect(start.code, start.stderr).toBe(0);
    expect(JSON.parse(start.stdout)).toMatchObject({ status: 'started', agent: 'claude', readyBy: 'prompt' });
    const daemon = await gtAsync(town, ['daemon', 'start', '--json'], env);
    expect(daemon.code, daemon.stderr).toBe(0);

    const nudged = await gtAsync(town, ['nudge', 'mayor', GOAL], env);
    expect(nudged.code, nudged.stderr).toBe(0);
    // The Mayor's Bash calls: three bd create, one convoy, three slings (each starts a Claude polecat).
    const slung = await until(
      () =>
        GREETINGS.every((g) => script.log.some((e) => e.agent === 'mayor' && e.step === `sling-${g.lang}`)) &&
        script.log.find((e) => e.agent === 'mayor' && e.text),
      'the Mayor to finish slinging',
      400_000,
    );
    expect(slung.text).toBe('The greetings convoy is under way.');
    const beads = withTown(town, (s) => listBeads(s, { includeClosed: true, limit: 0 }).beads).filter((b) =>
      b.title.startsWith('Greet in '),
    );
    expect(beads.map((b) => b.title).sort()).toEqual(GREETINGS.map((g) => g.title).sort());
    const convoy = withTown(town, (s) => listBeads(s, { type: ['convoy'], includeClosed: true, limit: 0 }).beads).find(
      (b) => b.title === 'Greetings',
    )!;
    expect(convoy).toBeDefined();

    const landed = await until(
      () =>
        beads.every((b) => beadStatus(b.id) === 'closed') &&
        withTown(town, (s) => lastTownEvent(s, { kind: TOWN_EVENTS.convoy.landed, subject: convoy.id })),
      'the convoy to land',
      400_000,
    );
    expect(landed).toBeDefined();
    for (const g of GREETINGS) expect(mainFile(`greet-${g.lang}.txt`)).toBe(`${g.content}\n`);
    const log = git(join(town, 'web', '.repo.git'), ['log', '--format=%s', 'main']).split('\n');
    // Each polecat finished with `gt done` alone, which committed its file (subject "<title> (<id>)").
    for (const b of beads) expect(log.filter((s) => s.includes(b.id))).toEqual([`${b.title} (${b.id})`]);

    for (const b of beads) {
      // Each polecat got its hook through the SessionStart hook: its first request already holds the bead's prime.
      const first = requestsFor(b.id)[0]!;
      expect(requestText(first.body)).toContain(`## Your hook: ${b.id} ${b.title}`);
    }
    // Scenario 2: brand-new worktrees reached the ready prompt and worked, with no key pressed here. The config dir
    // started with no trusted folder; Claude Code 2.1 records a worktree's trust under its repository (the rig's
    // bare .repo.git), and that record exists only because gt answered the dialog.
    const claudeJson = JSON.parse(readFileSync(join(configDir, '.claude.json'), 'utf8')) as {
      projects?: Record<string, { hasTrustDialogAccepted?: boolean }>;
    };
    const trusted = Object.entries(claudeJson.projects ?? {})
      .filter(([, p]) => p.hasTrustDialogAccepted)
      .map(([k]) => k);
    expect(trusted, JSON.stringify(trusted)).toContain(join(town, 'web', '.repo.git'));

    // The landing mail reaches the Mayor through its UserPromptSubmit hook on its next turn.
    const ask = 'How is the greetings convoy doing?';
    const asked = await gtAsync(town, ['nudge', 'mayor', ask], env);
    expect(asked.code, asked.stderr).toBe(0);
    const turn = await until(
      () => userTurns(server.requests).find((u) => u.prompts.some((p) => p.includes(ask))),
      'the Mayor turn',
      120_000,
    );
    // What this turn added after the Mayor's last answer: the prompt and the hook's output with the unread mail.
    const body = server.requests[turn.request]!.body as MessagesRequest;
    const lastAnswer = body.messages!.map((m) => m.role).lastIndexOf('assistant');
    const added = requestText({ messages: body.messages!.slice(lastAnswer + 1) });
    expect(added).toContain(ask);
    expect(added).toContain('Convoy landed: Greetings');
    console.log(
      `[e2e] Mayor flow: ${Math.round((Date.now() - t0) / 1000)} s, ${server.messages().length} model requests`,
    );
  }, 900_000);

  it('a polecat killed mid-task is restarted by the daemon on its hook, and its bead lands', async () => {
    const t0 = Date.now();
    const id = createBead('Survive a crash', 'File: "crash.txt" Content: "written before the crash\\n"');
    holdDone.add(id);
    const r = await gtAsync(town, ['sling', id, 'web', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const polecat = (JSON.parse(r.stdout) as { results: { polecat: string }[] }).results[0]!.polecat.split('/').pop()!;
    // The answer carrying `gt done` is held: the agent wrote its file (uncommitted) and waits for the model.
    await until(() => held.has(id), 'the gt done answer to be held', 180_000);
    const worktree = join(town, 'web', 'polecats', polecat);
    expect(readFileSync(join(worktree, 'crash.txt'), 'utf8')).toBe('written before the crash\n');
    const session = (await tmux.listSessions()).find((s) => s.name.endsWith(`-${polecat}`))!;
    const before = server.requests.length;
    killTree(session.panePid);

    await until(() => beadStatus(id) === 'closed', 'the bead to land after the restart', 400_000);
    expect(mainFile('crash.txt')).toBe('written before the crash\n');
    expect(
      withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.daemon.restart, subject: id })),
    ).toBeGreaterThanOrEqual(1);
    // The new session's first request carries the hooked bead.
    const after = requestsFor(id).filter((q) => q.index >= before);
    expect(after.length).toBeGreaterThan(0);
    expect(requestText(after[0]!.body)).toContain(`## Your hook: ${id} Survive a crash`);
    console.log(`[e2e] crash and resume: ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 600_000);

  it('a polecat that hands off finds its note in the next session, which finishes the work', async () => {
    const t0 = Date.now();
    const note = 'Context is full; the greeting file is still to be written.';
    const id = createBead(
      'Hand off once',
      `Handoff: "${note}" File: "handoff.txt" Content: "written after the handoff\\n"`,
    );
    const r = await gtAsync(town, ['sling', id, 'web', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    await until(() => beadStatus(id) === 'closed', 'the bead to land after the handoff', 400_000);
    expect(mainFile('handoff.txt')).toBe('written after the handoff\n');
    // The first session ran gt handoff (once); a later request, of the next session, holds the note in its prime.
    const ran = script.log.filter((e) => e.step === `handoff-${id}`);
    expect(ran).toHaveLength(1);
    const next = server.requests
      .slice(ran[0]!.index + 1)
      .find(
        (q) =>
          q.path === '/v1/messages' &&
          requestText(q.body as MessagesRequest).includes('## Handoff from your previous session'),
      );
    expect(next).toBeDefined();
    expect(requestText(next!.body as MessagesRequest)).toContain(note);
    expect(primedHook(requestText(next!.body as MessagesRequest))?.id).toBe(id);
    console.log(`[e2e] handoff: ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 600_000);
});

/** SIGKILL a process and its descendants (the agent, as a crash would). */
function killTree(pid: number): void {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  for (const c of children) killTree(c);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
