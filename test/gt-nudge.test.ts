// gt nudge: addresses resolved to sessions on the town's private tmux socket, messages typed into a live agent (the
// fake TUI) or queued for its prompt hook, and clear refusals for everything else.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux, type TmuxClient } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-nudge-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');

interface NudgeOut {
  to: string;
  session: string;
  mode: string;
  status: string;
  verified?: boolean;
  why?: string;
}

describe('gt nudge', () => {
  let base = '';
  let town = '';
  let prefix = '';
  let cleanup = (): void => {};
  let tmux: TmuxClient;
  let env: Record<string, string> = {};
  const logs = new Map<string, string>();
  const logLines = (session: string) => readFileSync(logs.get(session)!, 'utf8').split('\n').filter(Boolean);

  async function startTui(session: string): Promise<void> {
    const log = join(base, `${session}.log`);
    writeFileSync(log, '');
    logs.set(session, log);
    await tmux.newSession({
      name: session,
      cwd: base,
      argv: [process.execPath, FAKE_TUI, '--log', log],
      width: 160,
      height: 40,
    });
    const deadline = Date.now() + 20_000;
    while ((await tmux.capturePane(session))[0] !== '>') {
      if (Date.now() > deadline) throw new Error(`fake TUI in ${session} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    const t = tempDir('gt nudge');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    env = { GT_TMUX_SOCKET: SOCKET, TMUX_TMPDIR: base };
    tmux = createTmux({ socket: SOCKET, env: cleanEnv({ TMUX_TMPDIR: base }) });
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    prefix = (JSON.parse(readFileSync(join(town, 'app', 'rig.json'), 'utf8')) as { prefix: string }).prefix;
    await startTui('hq-mayor');
    await startTui(`${prefix}-toast`);
  });

  afterAll(async () => {
    await tmux.killServer();
    expect(spawnSync('tmux', ['-L', SOCKET, 'ls'], { env: cleanEnv({ TMUX_TMPDIR: base }) }).status).not.toBe(0);
    cleanup();
  });

  it("types the message into the agent's session and verifies it arrived", () => {
    const r = gtJson<NudgeOut>(town, ['nudge', 'mayor', 'check', 'your', 'mail'], { env });
    expect(r).toMatchObject({
      to: 'mayor',
      session: 'hq-mayor',
      mode: 'wait-idle',
      status: 'delivered',
      verified: true,
    });
    const p = gtJson<NudgeOut>(town, ['nudge', 'app/polecats/toast', '--mode', 'immediate', 'rebase first'], { env });
    expect(p).toMatchObject({ to: 'app/toast', session: `${prefix}-toast`, status: 'delivered' });
    expect(logLines('hq-mayor')).toEqual(['check your mail']);
    expect(logLines(`${prefix}-toast`)).toEqual(['rebase first']);
  }, 60_000);

  it('delivers messages that start with "-" after --, and shell text literally', () => {
    const r = gt(town, ['nudge', 'mayor', '--', '--rm -rf', '$HOME; `id`'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Nudged mayor \(session hq-mayor\)/);
    expect(logLines('hq-mayor').at(-1)).toBe('--rm -rf $HOME; `id`');
  }, 60_000);

  it("--mode queue leaves the message for the agent's prompt hook (gt mail check --inject drains it)", () => {
    const before = logLines('hq-mayor').length;
    const r = gtJson<NudgeOut>(town, ['nudge', 'mayor', '--mode', 'queue', 'after this turn'], { env });
    expect(r).toMatchObject({ status: 'queued', why: 'requested' });
    expect(logLines('hq-mayor')).toHaveLength(before);
    const hook = gt(town, ['mail', 'check', '--inject'], { env: { ...env, GT_ADDRESS: 'mayor' } });
    expect(hook.code).toBe(0);
    expect(hook.stdout).toContain('overseer: after this turn');
    expect(gt(town, ['mail', 'check', '--inject'], { env: { ...env, GT_ADDRESS: 'mayor' } }).stdout).toBe('');
  });

  it('refuses bad input with the reason and what to do', () => {
    expectFailure(gt(town, ['nudge', 'nope/toast', 'hi'], { env }), 2, /no rig named "nope"/);
    expectFailure(gt(town, ['nudge', 'app/b/c/d', 'hi'], { env }), 2, /"app\/b\/c\/d" is not an agent address/);
    expectFailure(gt(town, ['nudge', '', 'hi'], { env }), 2, /"" is not an agent address/);
    expectFailure(gt(town, ['nudge', 'app/to ast', 'hi'], { env }), 2, /"app\/to ast" is not an agent address/);
    expectFailure(gt(town, ['nudge', 'mayor'], { env }), 2, /the nudge for mayor is empty/);
    expectFailure(gt(town, ['nudge', 'mayor', '  '], { env }), 2, /the nudge for mayor is empty/);
    expectFailure(gt(town, ['nudge', 'mayor', '--mode', 'loud', 'hi'], { env }), 2, /nudge mode "loud" is not known/);
    expectFailure(gt(town, ['nudge', 'mayor', '--agent', 'nosuch', 'hi'], { env }), 2, /unknown agent "nosuch"/);
    expectFailure(gt(town, ['nudge', 'overseer', 'hi'], { env }), 2, /the overseer is a person/);
    expectFailure(gt(town, ['nudge', 'app/', 'hi'], { env }), 2, /"app\/" is a whole rig/);
    const dead = gt(town, ['nudge', 'app/witness', 'hi'], { env });
    expectFailure(dead, 1, /app\/witness is not running \(no tmux session .*-witness/);
    expect(dead.stderr).toMatch(/Hint: the witness of app is not running; gt agents lists the agents that run/);
    expectFailure(gt(town, ['nudge', 'app/crew/alice', 'hi'], { env }), 1, /app\/crew\/alice is not running/);
    expectFailure(gt(base, ['nudge', 'mayor', 'hi'], { env }), 1, /no town found/);
  });

  it('says which command starts a stopped Mayor', async () => {
    await tmux.killSession('hq-mayor');
    const r = gt(town, ['nudge', 'mayor', 'hi'], { env });
    expectFailure(r, 1, /mayor is not running/);
    expect(r.stderr).toContain('Hint: start it with gt mayor start');
  });

  it('has --help with an example', () => {
    const r = gt(town, ['nudge', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExample:\n {2}gt nudge mayor/);
  });
});
