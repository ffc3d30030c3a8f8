import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDialog, dialogReason, isStuckOnDialog, passStartupDialogs } from './dialogs.ts';
import { showsReadyPrompt } from './pane-text.ts';
import { builtinPreset } from './presets.ts';

const screen = (name: string): string[] =>
  readFileSync(resolve(import.meta.dirname, '../../test/fixtures/claude-screens', `${name}.txt`), 'utf8').split('\n');
const claude = builtinPreset('claude')!;
const signals = { prompt: claude.ready.prompt, busy: claude.busy };

describe("Gemini CLI's folder-trust dialog (0.61, captured)", () => {
  const trust = readFileSync(
    resolve(import.meta.dirname, '../../test/fixtures/gemini-screens/trust.txt'),
    'utf8',
  ).split('\n');
  it('is recognised for gemini and answered by trusting the folder itself (already selected: Enter)', () => {
    expect(detectDialog(trust, 'gemini')).toMatchObject({
      kind: 'trust',
      keys: ['Enter'],
      line: 'Do you trust the files in this folder?',
    });
    const parentSelected = trust.map((l) =>
      l.replace('● 1. Trust folder', '  1. Trust folder').replace('  2. Trust parent', '● 2. Trust parent'),
    );
    expect(detectDialog(parentSelected, 'gemini')).toMatchObject({ kind: 'trust', keys: ['Up'] });
  });
});

describe("Auggie's first-run screens (0.36, as shown once authenticated against a loopback tenant)", () => {
  it('are onboarding nobody answers, so the agent is stuck with the reason, not working', () => {
    const welcome = [
      ' ╭──────────────────────────────────────────────────────────────────────────────╮',
      ' │ ✨ Welcome to Augment Code! A bit of housekeeping before we get started      │',
      ' ╰──────────────────────────────────────────────────────────────────────────────╯',
      ' ● Augment context engine',
      ' → Continue',
      '   Press return to continue, or esc to skip',
    ];
    expect(detectDialog(welcome, 'auggie')).toMatchObject({ kind: 'onboarding', keys: [] });
    expect(dialogReason(detectDialog(welcome, 'auggie')!)).toMatch(
      /^waiting on its first-run set-up: .*Welcome to Augment Code/,
    );
    const tips = [' │ 💡 Tips for using Auggie                                              1 of 3 │', ' → Continue'];
    expect(detectDialog(tips, 'auggie')?.kind).toBe('onboarding');
  });
});

describe("Amp's first-run tour and ready screen (0.0.1790142911, captured against a loopback Amp API)", () => {
  const amp = builtinPreset('amp')!;
  it('the tour pages are onboarding nobody answers; the empty thread after it shows the ready prompt', () => {
    const page = [
      '                                                     Welcome to Amp',
      '                                                   Space to continue',
    ];
    expect(detectDialog(page, 'amp')).toMatchObject({ kind: 'onboarding', keys: [], line: 'Space to continue' });
    const last = [
      '                                                 Customize Amp with Amp',
      '                                             Amp has a complete plugin API.',
      '                                                  Enter to get started',
    ];
    expect(detectDialog(last, 'amp')?.kind).toBe('onboarding');
    const ready = [
      '                ●●•••••●●●•••●●●●●●●●•••••••••••::·::.    Welcome to Amp',
      '               ••●•••••●●●●•●●●●●•••••••::::::::::···:    ctrl+o for commands · ? for shortcuts',
      '╭──────────────────────────────────────── medium ─╮',
      '│                                                 │',
      '╰──────────────────────────── /tmp/amp-probe/work ─╯',
    ];
    expect(detectDialog(ready, 'amp')).toBeUndefined();
    expect(showsReadyPrompt(ready, { prompt: amp.ready.prompt, busy: amp.busy })).toBe(true);
    expect(showsReadyPrompt(page, { prompt: amp.ready.prompt, busy: amp.busy })).toBe(false);
  });
});

describe('detectDialog on real Claude Code screens', () => {
  it('moves the selection to "Yes, I trust this folder", then confirms it', () => {
    expect(detectDialog(screen('trust'))).toMatchObject({ kind: 'trust', keys: ['Down'] });
    expect(detectDialog(screen('trust-accept-selected'))).toMatchObject({ kind: 'trust', keys: ['Enter'] });
    expect(detectDialog(screen('trust'))?.excerpt).toContain('Yes, I trust this folder');
  });

  it('accepts the bypass-permissions warning', () => {
    expect(detectDialog(screen('bypass-permissions'))).toMatchObject({ kind: 'bypass-permissions', keys: ['Down'] });
    const selected = screen('bypass-permissions').map((l) =>
      l.replace('❯ No, exit', '  No, exit').replace('  Yes, I accept', '❯ Yes, I accept'),
    );
    expect(detectDialog(selected)).toMatchObject({ kind: 'bypass-permissions', keys: ['Enter'] });
  });

  it('leaves first-run onboarding unanswered', () => {
    expect(detectDialog(screen('onboarding-theme'))).toMatchObject({ kind: 'onboarding', keys: [] });
  });

  it('sees an unknown selection list as a dialog nobody answers', () => {
    const lines = [
      ' Resume the previous session?',
      '',
      ' ❯ 1. Yes',
      '   2. No',
      '',
      ' Enter to confirm · Esc to cancel',
    ];
    expect(detectDialog(lines)).toMatchObject({ kind: 'unknown-choice', keys: [] });
  });

  it('finds no dialog on the ready or busy screen; the dialog selection never counts as the ready prompt', () => {
    for (const name of ['ready', 'busy']) {
      expect(detectDialog(screen(name))).toBeUndefined();
      expect(isStuckOnDialog(screen(name))).toBe(false);
    }
    expect(isStuckOnDialog(screen('trust'))).toBe(true);
    expect(showsReadyPrompt(screen('ready'), signals)).toBe(true);
    expect(showsReadyPrompt(screen('busy'), signals)).toBe(false);
  });
});

describe('login screens, whatever the runtime', () => {
  it('knows the login screens of Auggie, Codex, Claude Code, Gemini CLI and Amp, and names the line', () => {
    const screens: [string, string[]][] = [
      [
        'auggie',
        [
          '   New to Augment? You can create an account from the login page.',
          ' → Login to continue',
          '   Press return to open your browser',
        ],
      ],
      [
        'codex',
        [
          '  Sign in with ChatGPT to use Codex as part of your paid plan',
          '',
          '> 1. Sign in with ChatGPT',
          '  2. Provide your own API key',
        ],
      ],
      ['claude', [' Select login method:', '', ' ❯ 1. Claude account with subscription']],
      ['claude', ['  ⎿ Not logged in · Please run /login']],
      [
        'gemini',
        [
          '│ Get started                                   │',
          '│ How would you like to authenticate for this project? │',
          '│ ● 1. Login with Google │',
        ],
      ],
      ['amp', ['No API key found. Starting login flow...', 'Would you like to log in to Amp? [(y)es, (n)o]: ']],
    ];
    for (const [runtime, lines] of screens) {
      for (const r of [runtime, 'my-custom-agent'])
        expect(detectDialog(lines, r), `${runtime} as ${r}`).toMatchObject({ kind: 'login', keys: [] });
    }
    expect(detectDialog(screens[0]![1])?.line).toBe('Login to continue');
    expect(dialogReason(detectDialog(screens[3]![1])!)).toMatch(
      /^waiting on its login screen: "⎿ Not logged in · Please run \/login"/,
    );
  });

  it('does not take an agent writing a login page for a login screen', () => {
    const diff = [
      '  12 +      <button>Login to continue</button>',
      '  13 +  // Sign in with ChatGPT is not offered here',
      '> ',
    ];
    expect(detectDialog(diff, 'my-custom-agent')).toBeUndefined();
  });
});

/** A fake pane that shows `screens` in turn, moving on each time a key is pressed. */
function fakePane(screens: string[][], alive = true) {
  let i = 0;
  const keys: string[] = [];
  return {
    keys,
    hasSession: async () => alive,
    snapshot: async () => {
      if (!alive) throw new Error("can't find pane"); // as tmux fails for a session that is gone
      return { lines: screens[i]!, cursorX: 0, cursorY: 0, inMode: false, attached: false };
    },
    sendKeys: async (_s: string, ...k: string[]) => {
      keys.push(...k);
      i = Math.min(i + 1, screens.length - 1);
    },
  };
}

describe('passStartupDialogs', () => {
  it('answers trust then bypass one key at a time until the prompt shows', async () => {
    const bypassSelected = screen('bypass-permissions').map((l) =>
      l.replace('❯ No, exit', '  No, exit').replace('  Yes, I accept', '❯ Yes, I accept'),
    );
    const pane = fakePane([
      screen('trust'),
      screen('trust-accept-selected'),
      screen('bypass-permissions'),
      bypassSelected,
      screen('ready'),
    ]);
    const out = await passStartupDialogs(pane, 's', claude, { pollMs: 1 });
    expect(out).toMatchObject({ ready: true, dialogsPassed: ['trust', 'bypass-permissions'] });
    expect(pane.keys).toEqual(['Down', 'Enter', 'Down', 'Enter']);
  });

  it("waits for a dialog to settle: Claude's trust dialog mounts again ~150 ms after it shows, selection back on No", async () => {
    // A model of Claude Code 2.1 (traced in tmux): Down/Up move the selection, Enter confirms it (on "No, exit" the
    // agent ends); 150 ms after the dialog first shows it is mounted again with the default selection, and an Enter
    // typed before that is confirmed by the new mount.
    const shownAt = Date.now();
    let onYes = false;
    let remounted = false;
    let earlyEnter = false;
    let state: 'dialog' | 'exited' | 'ready' = 'dialog';
    const keys: string[] = [];
    const pane = {
      hasSession: async () => state !== 'exited',
      snapshot: async () => {
        if (!remounted && Date.now() - shownAt >= 150) {
          [remounted, onYes] = [true, false];
          if (earlyEnter) state = 'exited';
        }
        if (state === 'exited') throw new Error('no session');
        return {
          lines: state === 'ready' ? screen('ready') : screen(onYes ? 'trust-accept-selected' : 'trust'),
          cursorX: 0,
          cursorY: 0,
          inMode: false,
          attached: false,
        };
      },
      sendKeys: async (_s: string, key: string) => {
        keys.push(key);
        if (key === 'Down') onYes = true;
        if (key === 'Up') onYes = false;
        if (key === 'Enter' && !remounted) earlyEnter = true;
        else if (key === 'Enter') state = onYes ? 'ready' : 'exited';
      },
    };
    const out = await passStartupDialogs(pane, 's', claude, { pollMs: 5 });
    expect(out).toMatchObject({ ready: true, dialogsPassed: ['trust'] });
    expect(keys).toEqual(['Down', 'Enter']);
  });

  it('reports a dialog it may not answer as stuck, with its text', async () => {
    const out = await passStartupDialogs(fakePane([screen('onboarding-theme')]), 's', claude, {
      pollMs: 1,
      stuckMs: 30,
    });
    expect(out).toMatchObject({ ready: false, reason: 'stuck-on-dialog', kind: 'onboarding' });
    if (!out.ready && out.reason === 'stuck-on-dialog') expect(out.dialog).toContain('Choose the text style');
  });

  it('reports a known dialog that ignores its answer as stuck', async () => {
    const pane = fakePane([screen('trust-accept-selected')]);
    const out = await passStartupDialogs(pane, 's', claude, { pollMs: 1, stuckMs: 50 });
    expect(out).toMatchObject({ ready: false, reason: 'stuck-on-dialog', kind: 'trust' });
  });

  it('reports an agent that exited, and a timeout', async () => {
    expect(await passStartupDialogs(fakePane([[]], false), 's', claude, { pollMs: 1 })).toMatchObject({
      ready: false,
      reason: 'exited',
    });
    expect(await passStartupDialogs(fakePane([['Loading…']]), 's', claude, { pollMs: 5, timeoutMs: 40 })).toMatchObject(
      { ready: false, reason: 'timeout' },
    );
  });

  it('takes an agent started with its task and already at work (its busy marker) as started, without its prompt', async () => {
    // An agent started with its task works at once: its prompt comes back only when the task ends, maybe much later.
    const atWork = { pollMs: 5, timeoutMs: 1000, busyMeansStarted: true };
    expect(await passStartupDialogs(fakePane([screen('busy')]), 's', claude, atWork)).toMatchObject({
      ready: true,
      by: 'busy',
    });
    expect(await passStartupDialogs(fakePane([screen('ready')]), 's', claude, atWork)).toMatchObject({
      ready: true,
      by: 'prompt',
    });
    // Started without one, busy is still starting (Gemini CLI shows it while its session-start hook runs).
    expect(
      await passStartupDialogs(fakePane([screen('busy')]), 's', claude, { pollMs: 5, timeoutMs: 40 }),
    ).toMatchObject({ ready: false, reason: 'timeout' });
  });
});
