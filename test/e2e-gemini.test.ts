// Gas Town on the real Gemini CLI (interactive, in the town's tmux, against the scripted model server's Gemini
// dialect): `gt sling <bead> web --agent gemini` starts a Gemini polecat whose SessionStart hook (Gas Town's workspace
// settings file, .gemini/settings.json) primes it and records its session id; the model has it write
// the file its hook asks for and run `gt done`; the refinery lands the bead; the AfterAgent hook puts its tokens in
// `gt costs`. A Gemini Mayor is restarted with `gt mayor restart` and resumes its conversation.
// Skips (loudly) only if the Gemini CLI cannot start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GEMINI_BIN, geminiTestEnv, prepareGeminiHome } from '../testing/gemini/index.ts';
import {
  geminiResponder,
  primedAs,
  requestText,
  scriptedModel,
  scriptedPolecat,
  messagesFromGemini,
  type AgentScript,
  type GeminiRequest,
} from '../testing/model-server/index.ts';
import { cliStarts, slingAndLand, startE2eTown, verbose, type E2eTown } from './support/e2e-town.ts';
import { getAgent } from '../src/agents/table.ts';
import { gtAsync, withTown } from './support/gt.ts';

const WORD = 'pelican';
const starts = cliStarts(GEMINI_BIN, 'test/e2e-gemini.test.ts', 'the Gemini CLI');

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

describe.skipIf(!starts)('Gas Town on the real Gemini CLI, end to end', () => {
  let t: E2eTown;
  let geminiHome = '';
  const script = scriptedModel([scriptedMayor(), scriptedPolecat()]);
  /** The conversation turns (requests offering tools) as the script read them, with their index. */
  const turns = (): { index: number; text: string; body: GeminiRequest }[] =>
    t.server.requests.flatMap((r, index) => {
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
      return readdirSync(chats).map((f) => ({
        id: (JSON.parse(readFileSync(join(chats, f), 'utf8').split('\n')[0]!) as { sessionId: string }).sessionId,
        file: join(chats, f),
      }));
    });
  };

  beforeAll(async () => {
    t = await startE2eTown({
      label: 'gemini',
      scriptLog: script.log,
      server: { respondGemini: verbose('gemini', geminiResponder(script.respond)) },
      runtimeEnv: (url, home) => geminiTestEnv(url, (geminiHome = prepareGeminiHome(home))),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gt sling --agent gemini: the SessionStart hook primes the polecat, it writes its file, runs gt done, the bead lands, gt costs counts it', async () => {
    const t0 = Date.now();
    const { id, polecat, subjects } = await slingAndLand(t, {
      agent: 'gemini',
      title: 'Greet from Gemini',
      file: 'greet-gemini.txt',
      content: 'Hello from Gemini\n',
    });
    expect(subjects).toEqual([`Greet from Gemini (${id})`]);
    // Its last turn (the text after `gt done`) may come after the landing.
    await t.until(
      () => script.log.some((e) => e.agent === 'polecat' && e.text === 'My hook is done and queued for merge.'),
      'the polecat to end its turn',
      30_000,
    );

    // The scripted polecat only works from a prime it finds in its context: the first turn already holds the hook,
    // inside the <hook_context> Gemini adds for a SessionStart hook's additionalContext (no `gt prime` step ran).
    const mine = turns().filter((x) => primedAs(x.text)?.address === polecat);
    expect(mine.length).toBeGreaterThan(0);
    expect(JSON.stringify(mine[0]!.body.contents)).toMatch(
      new RegExp(`<hook_context>[^]*## Your hook: ${id} Greet from Gemini`),
    );
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps).toEqual([`write-${id}`, `done-${id}`]);

    // The hook recorded Gemini's session id: the one of the chat file Gemini wrote for this worktree.
    const row = withTown(t.town, (s) => getAgent(s, polecat))!;
    expect(row.runtime).toBe('gemini');
    expect(geminiSessions().map((s) => s.id)).toContain(row.session_id);

    // gt costs: the AfterAgent hook read the chat file; its tokens are what the server reported for the turns.
    const sessionFile = geminiSessions().find((s) => s.id === row.session_id)!.file;
    const turnIndexes = new Set(mine.map((x) => x.index));
    const reported = t.server.usage().requests.filter((u) => turnIndexes.has(u.index));
    const costs = await t.until(
      async () => {
        const r = await gtAsync(t.town, ['costs', '--json', '--by', 'agent'], t.env);
        if (r.code !== 0) return undefined;
        const v = JSON.parse(r.stdout) as {
          groups: { key: string; responses: number; input: number; output: number }[];
        };
        const g = v.groups.find((x) => x.key === polecat);
        return g && g.responses >= reported.length ? g : undefined;
      },
      'gt costs to count the polecat',
      30_000,
    );
    expect(costs, sessionFile).toMatchObject({
      responses: reported.length,
      input: reported.reduce((n, u) => n + u.usage.input_tokens, 0),
      output: reported.reduce((n, u) => n + u.usage.output_tokens, 0),
    });
    console.log(
      `[e2e-gemini] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${t.server.requests.length} model requests`,
    );
  }, 200_000);

  it("gt mayor restart resumes the Gemini Mayor's conversation by the session id its hook recorded", async () => {
    const t0 = Date.now();
    const started = await gtAsync(t.town, ['mayor', 'start', '--agent', 'gemini', '--json'], t.env);
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ status: 'started', agent: 'gemini', readyBy: 'prompt' });
    const told = await gtAsync(t.town, ['nudge', 'mayor', `Remember the word: ${WORD}`], t.env);
    expect(told.code, told.stderr).toBe(0);
    await t.until(
      () => script.log.some((e) => e.agent === 'mayor' && e.text === 'Noted.'),
      'the Mayor to note the word',
      60_000,
    );
    const sessionId = await t.until(
      () => withTown(t.town, (s) => getAgent(s, 'mayor'))?.session_id,
      'the Mayor session id',
      10_000,
    );

    const restarted = await gtAsync(t.town, ['mayor', 'restart', '--json'], t.env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(JSON.parse(restarted.stdout)).toMatchObject({ status: 'started', agent: 'gemini', resumed: true });
    const before = t.server.requests.length;
    // A question: Gemini reads a burst of keys against its last render, where a `?` on an empty line opens its
    // shortcuts panel; the nudge sends the `?` once the text before it shows, so it arrives.
    const asked = await gtAsync(t.town, ['nudge', 'mayor', 'Say the word?', '--json'], t.env);
    console.log(`[e2e-gemini] nudge after restart: ${asked.stdout.trim()}`);
    expect(asked.code, asked.stderr).toBe(0);
    const answer = await t.until(
      () => script.log.find((e) => e.agent === 'mayor' && e.index >= before && e.text?.startsWith('The word was')),
      'the Mayor to answer after the restart',
      60_000,
    );
    // The restarted CLI sent the conversation of before the restart: the word it was told is in its context.
    expect(answer.text).toBe(`The word was ${WORD}.`);
    // Its role came with that first prompt, after it (the BeforeAgent hook), once: what the SessionStart hook of a
    // resumed session adds, Gemini may drop while it loads the saved conversation (which keeps no hook context).
    const text = requestText(messagesFromGemini(t.server.requests[answer.index]!.body as GeminiRequest));
    const role = '# Gas Town: you are mayor (mayor)';
    expect(text.split(role)).toHaveLength(2);
    expect(text.indexOf(role)).toBeGreaterThan(text.lastIndexOf('Say the word?'));
    expect(withTown(t.town, (s) => getAgent(s, 'mayor'))?.session_id).toBe(sessionId);
    console.log(`[e2e-gemini] mayor restart and resume: ${Math.round((Date.now() - t0) / 1000)} s`);
  }, 150_000);
});
