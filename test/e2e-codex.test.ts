// Scenario 1's polecat part on the real Codex CLI (interactive, in the town's tmux, against the scripted model
// server's Responses dialect): `gt sling <bead> web --agent codex` starts a Codex polecat, gt passes its folder-trust
// dialog and types its first prompt. Codex has no session-start hook: gt writes the polecat's role context (what
// `gt prime` prints) to AGENTS.override.md in its worktree, which Codex sends the model as project instructions; the
// model works from it (no `gt prime` call): write the file its hook asks for, commit, `gt done`; the refinery lands
// the bead on main.
// Skips (loudly) only if the Codex CLI cannot start.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedModel } from '../testing/model-server/index.ts';
import { CODEX_BIN, codexTestEnv, prepareCodexHome } from '../testing/model-server/openai-codex.ts';
import { scriptedPolecat } from '../testing/model-server/polecat-script.ts';
import { codexResponder } from '../testing/model-server/openai-responses-reader.ts';
import { cliStarts, slingAndLand, startE2eTown, verbose, type E2eTown } from './support/e2e-town.ts';

const starts = cliStarts(CODEX_BIN, 'test/e2e-codex.test.ts', 'the Codex CLI');

describe.skipIf(!starts)('a Codex polecat, end to end', () => {
  let t: E2eTown;
  let codexHome = '';
  const script = scriptedModel([scriptedPolecat()]);

  beforeAll(async () => {
    t = await startE2eTown({
      label: 'codex',
      scriptLog: script.log,
      server: { respondResponses: verbose('codex', codexResponder(script.respond)) },
      runtimeEnv: (url, home) => codexTestEnv((codexHome = prepareCodexHome(home, url))),
    });
  });
  afterAll(async () => {
    // Codex may leave helpers (an app-server daemon) behind: only ours, found by our CODEX_HOME.
    if (codexHome) {
      const ours = spawnSync('pgrep', ['-f', codexHome], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .map(Number);
      for (const pid of ours) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await t?.close();
  });

  it('gt sling --agent codex: the polecat starts primed from AGENTS.override.md, writes its file, runs gt done, and the bead lands on main', async () => {
    const t0 = Date.now();
    const { id, subjects } = await slingAndLand(t, {
      agent: 'codex',
      title: 'Greet from Codex',
      file: 'greet-codex.txt',
      content: 'Hello from Codex\n',
    });
    expect(subjects).toHaveLength(1);

    // The model drove it step by step, each one a Codex exec_command that succeeded, gt done last; no gt prime.
    const steps = script.log.filter((e) => e.agent === 'polecat' && e.step).map((e) => e.step);
    expect(steps).toEqual([`write-${id}`, `done-${id}`]);
    // The hook reached the model in Codex's first request, as the project instructions Codex read from the worktree.
    const first = JSON.stringify((t.server.requests[0]?.body as { input?: unknown })?.input ?? '');
    expect(first).toContain('AGENTS.md instructions for');
    expect(first).toContain(`## Your hook: ${id} Greet from Codex`);
    // A brand-new worktree: Codex asked whether to trust it, and recorded the answer gt gave.
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toMatch(/trust_level = "trusted"/);
    console.log(
      `[e2e-codex] polecat landed in ${Math.round((Date.now() - t0) / 1000)} s, ${t.server.requests.length} model requests`,
    );
  }, 240_000);
});
