// A polecat on the real OpenCode CLI (interactive, in the town's tmux) against the scripted model server's OpenAI
// Chat Completions dialect, through an OpenAI-compatible provider in the OpenCode config file the test gives it
// (OPENCODE_CONFIG): `gt sling <bead> web --agent opencode` starts it primed: gt writes the agent's prime to a file
// and names it in the instructions of OpenCode's inline config (OPENCODE_CONFIG_CONTENT), so it is in the system
// prompt of the first request and no turn is spent running `gt prime`. The model has it write the file its hook
// asks for and run `gt done`; the refinery lands the bead; `gt costs` shows the tokens OpenCode stored for each
// response in its database (read by the daemon's costs step). Skips (loudly) only if the OpenCode CLI cannot start.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENCODE_BIN, openCodeTestEnv, prepareOpenCodeConfig } from '../testing/opencode/index.ts';
import {
  openCodeResponder,
  primedAs,
  scriptedModel,
  scriptedPolecat,
  type ChatRequest,
} from '../testing/model-server/index.ts';
import { cliStarts, slingAndLand, startE2eTown, verbose, type E2eTown } from './support/e2e-town.ts';
import { gtAsync } from './support/gt.ts';

const starts = cliStarts(OPENCODE_BIN, 'test/e2e-opencode.test.ts', 'the OpenCode CLI');

describe.skipIf(!starts)('an OpenCode polecat, end to end', () => {
  let t: E2eTown;
  const script = scriptedModel([scriptedPolecat()]);

  beforeAll(async () => {
    t = await startE2eTown({
      label: 'opencode',
      scriptLog: script.log,
      server: { respondChat: verbose('opencode', openCodeResponder(script.respond)) },
      // The provider's config lives with the town's settings: the file the opencode agent is started with.
      runtimeEnv: (url, home, town) =>
        openCodeTestEnv(prepareOpenCodeConfig(join(town, 'settings', 'opencode'), url), home),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gt sling --agent opencode: the polecat starts primed (its prime in the system prompt), writes its file, runs gt done, the bead lands on main, gt costs counts it', async () => {
    const t0 = Date.now();
    const landed = await slingAndLand(t, {
      agent: 'opencode',
      title: 'Greet from OpenCode',
      file: 'greet-opencode.txt',
      content: 'Hello from OpenCode\n',
    });
    expect(landed.subjects).toEqual([`Greet from OpenCode (${landed.id})`]);

    // No `gt prime` step: the scripted polecat works only from a prime it finds in its context, and its first turn
    // already holds it, in the system message, as the instructions file gt wrote for this polecat.
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps).toEqual([`write-${landed.id}`, `done-${landed.id}`]);
    const turns = t.server.requests.map((r) => r.body as ChatRequest).filter((b) => (b?.tools?.length ?? 0) > 0);
    const first = turns.find((b) => primedAs(JSON.stringify(b.messages ?? []))?.address === landed.polecat)!;
    const system = JSON.stringify((first.messages ?? []).filter((m) => (m as { role?: string }).role === 'system'));
    expect(system).toMatch(
      new RegExp(`Instructions from: [^"]*prime\\.md[^]*## Your hook: ${landed.id} Greet from OpenCode`),
    );
    const calls = t.server.requests.flatMap((r) =>
      ((r.body as ChatRequest)?.messages ?? []).flatMap(
        (m) => (m as { tool_calls?: { function?: { name?: string; arguments?: string } }[] }).tool_calls ?? [],
      ),
    );
    expect(calls.some((c) => /\bgt prime\b/.test(c.function?.arguments ?? ''))).toBe(false);

    // gt costs: OpenCode stored each response's tokens in its database; the daemon's costs step read them. They are
    // what the server reported for the polecat's requests (its title request, sent on the side, is stored nowhere).
    await t.until(
      () => script.log.some((e) => e.agent === 'polecat' && e.text === 'My hook is done and queued for merge.'),
      'the polecat to end its turn',
      30_000,
    );
    const mine = new Set(
      t.server.requests.flatMap((r, i) => {
        const b = r.body as ChatRequest;
        return (b?.tools?.length ?? 0) > 0 && primedAs(JSON.stringify(b.messages ?? []))?.address === landed.polecat
          ? [i]
          : [];
      }),
    );
    const reported = t.server.usage().requests.filter((u) => mine.has(u.index));
    expect(reported.length).toBeGreaterThan(1); // write, gt done, the closing text
    const costs = await t.until(
      async () => {
        const r = await gtAsync(t.town, ['costs', '--json', '--by', 'agent'], t.env);
        if (r.code !== 0) return undefined;
        const v = JSON.parse(r.stdout) as {
          groups: { key: string; responses: number; input: number; output: number }[];
        };
        const g = v.groups.find((x) => x.key === landed.polecat);
        return g && g.responses >= reported.length ? g : undefined;
      },
      'gt costs to count the polecat',
      30_000,
    );
    expect(costs).toMatchObject({
      responses: reported.length,
      input: reported.reduce((n, u) => n + u.usage.input_tokens, 0),
      output: reported.reduce((n, u) => n + u.usage.output_tokens, 0),
    });
    console.log(
      `[e2e-opencode] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${t.server.requests.length} model requests; gt costs: ${costs.responses} responses, ${costs.input} in, ${costs.output} out`,
    );
  }, 240_000);
});
