import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GtError } from '../kernel/index.ts';
import { nudge, type NudgeTmux } from './nudge.ts';
import { acquireLock, lockPath } from './session-lock.ts';

/** An in-memory TUI behind the NudgeTmux port: a prompt line, submitted lines above it. */
class FakeTui implements NudgeTmux {
  history: string[] = [];
  input = '';
  submitted: string[] = [];
  inMode = false;
  /** Enter presses to ignore (lost keys). */
  dropEnters = 0;
  /** Input is not read until the session is woken (a detached TUI). */
  asleep = false;
  pendingInput = '';
  wakes = 0;
  enters = 0;

  async hasSession(name: string) {
    return name === 'agent';
  }
  async snapshot() {
    const lines = [...this.history, `> ${this.input}`];
    return { lines, cursorX: 2 + this.input.length, cursorY: lines.length - 1, inMode: this.inMode, attached: false };
  }
  async sendText(_: string, text: string) {
    if (this.asleep) this.pendingInput += text;
    else this.input += text;
  }
  async sendKeys(_: string, ...keys: string[]) {
    for (const k of keys) {
      if (k !== 'Enter') continue;
      this.enters++;
      if (this.dropEnters > 0) this.dropEnters--;
      else if (this.asleep) this.pendingInput += '\r';
      else this.submit();
    }
  }
  async exitCopyMode() {
    this.inMode = false;
  }
  async wake() {
    this.wakes++;
    this.asleep = false;
    const pending = this.pendingInput;
    this.pendingInput = '';
    for (const part of pending.split(/(\r)/)) {
      if (part === '\r') this.submit();
      else this.input += part;
    }
  }
  private submit() {
    this.history.push(`> ${this.input}`);
    this.submitted.push(this.input);
    this.input = '';
  }
}

/**
 * Gemini CLI's input as it behaves (0.61): keys arriving in one burst are read against the input line of the last
 * render, and a `?` read against an empty line opens the shortcuts panel instead of being typed.
 */
class StaleRenderTui extends FakeTui {
  rendered = '';
  override async snapshot() {
    this.rendered = this.input;
    return super.snapshot();
  }
  override async sendText(_: string, text: string) {
    let seen = this.rendered;
    for (const ch of text) {
      if (ch === '?' && seen === '') continue;
      this.input += ch;
      seen = this.rendered;
    }
  }
}

/** A TUI that drops the first `drops` bursts of typed text while it redraws (Gemini CLI loading a resumed chat). */
class RedrawingTui extends FakeTui {
  private drops: number;
  private readonly placeholder: string;
  constructor(drops: number, placeholder: string) {
    super();
    this.drops = drops;
    this.placeholder = placeholder;
  }
  override async snapshot() {
    const s = await super.snapshot();
    // The composer shows its placeholder while the input is empty.
    return this.input === '' ? { ...s, lines: [...s.lines.slice(0, -1), `> ${this.placeholder}`] } : s;
  }
  override async sendText(name: string, text: string) {
    if (this.drops > 0) this.drops--;
    else await super.sendText(name, text);
  }
}

const fast = { settleMs: 5, echoTimeoutMs: 200, acceptTimeoutMs: 100, pollMs: 5 };
let runtimeDir: string;
beforeEach(() => (runtimeDir = mkdtempSync(join(tmpdir(), 'gt-nudge-'))));
afterEach(() => rmSync(runtimeDir, { recursive: true, force: true }));

describe('nudge (against an in-memory TUI)', () => {
  it('types the text, presses Enter once and verifies it', async () => {
    const tui = new FakeTui();
    tui.inMode = true;
    const r = await nudge(
      tui,
      { runtimeDir, ...fast },
      { session: 'agent', message: 'hello there', mode: 'immediate' },
    );
    expect(r).toMatchObject({ status: 'delivered', verified: true, attempts: 1 });
    expect(tui.submitted).toEqual(['hello there']);
    expect(tui.inMode).toBe(false);
  });

  it('keeps every ? of a message for a TUI that reads a burst against its last render (Gemini CLI)', async () => {
    const tui = new StaleRenderTui();
    const r = await nudge(
      tui,
      { runtimeDir, ...fast },
      { session: 'agent', message: 'Is it done? Say the word?', mode: 'immediate' },
    );
    expect(r).toMatchObject({ status: 'delivered', verified: true });
    expect(tui.submitted).toEqual(['Is it done? Say the word?']);
  });

  it('types again when the text was dropped and the empty-input placeholder still shows, never twice otherwise', async () => {
    const placeholder = 'Type your message or @path/to/file';
    const signals = { prompt: placeholder, promptMeansEmpty: true };
    const dropped = new RedrawingTui(1, placeholder);
    const r = await nudge(
      dropped,
      { runtimeDir, ...fast },
      { session: 'agent', message: 'Say the word', mode: 'immediate', signals },
    );
    expect(r).toMatchObject({ status: 'delivered', verified: true });
    expect(dropped.submitted).toEqual(['Say the word']);
    // A prompt that does not mean an empty input: the text is typed once, whatever the screen shows.
    const once = new RedrawingTui(1, placeholder);
    const r2 = await nudge(
      once,
      { runtimeDir, ...fast },
      { session: 'agent', message: 'Say the word', mode: 'immediate', signals: { prompt: placeholder } },
    );
    expect(r2).toMatchObject({ status: 'delivered', verified: false });
    expect(once.submitted).toEqual(['']);
  });

  it('presses Enter again, after waking the session, when the first press is lost', async () => {
    const tui = new FakeTui();
    tui.dropEnters = 1;
    const r = await nudge(tui, { runtimeDir, ...fast }, { session: 'agent', message: 'retry me', mode: 'immediate' });
    expect(r).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(tui.wakes).toBeGreaterThan(0);
    expect(tui.submitted).toEqual(['retry me']);
  });

  it('wakes a detached TUI that does not read its input', async () => {
    const tui = new FakeTui();
    tui.asleep = true;
    const r = await nudge(tui, { runtimeDir, ...fast }, { session: 'agent', message: 'wake up', mode: 'immediate' });
    expect(r).toMatchObject({ status: 'delivered', verified: true });
    expect(tui.wakes).toBe(1);
    expect(tui.submitted).toEqual(['wake up']);
  });

  it('gives up after a bounded number of Enter presses', async () => {
    const tui = new FakeTui();
    tui.dropEnters = 100;
    const r = await nudge(
      tui,
      { runtimeDir, ...fast, maxAttempts: 2 },
      { session: 'agent', message: 'stuck', mode: 'immediate' },
    );
    expect(r).toMatchObject({ status: 'failed', reason: 'not-accepted', attempts: 2 });
    expect(tui.enters).toBe(2);
  });

  it('waits for the session lock; when it cannot get it, immediate fails and wait-idle queues', async () => {
    const tui = new FakeTui();
    const held = await acquireLock(lockPath(runtimeDir, 'nudge-agent'));
    const r = await nudge(
      tui,
      { runtimeDir, ...fast, lockTimeoutMs: 100 },
      { session: 'agent', message: 'blocked', mode: 'immediate' },
    );
    expect(r).toMatchObject({ status: 'failed', reason: 'lock-timeout' });
    const queued = await nudge(
      tui,
      { runtimeDir, ...fast, lockTimeoutMs: 100 },
      { session: 'agent', message: 'later', mode: 'wait-idle' },
    );
    expect(queued).toMatchObject({ status: 'queued', why: 'busy' });
    held.release();
    expect(tui.submitted).toEqual([]);
  });

  it('serializes concurrent nudges in one process too', async () => {
    const tui = new FakeTui();
    const messages = Array.from({ length: 8 }, (_, i) => `message number ${i}`);
    const results = await Promise.all(
      messages.map((message) => nudge(tui, { runtimeDir, ...fast }, { session: 'agent', message, mode: 'immediate' })),
    );
    expect(results.every((r) => r.status === 'delivered')).toBe(true);
    expect([...tui.submitted].sort()).toEqual([...messages].sort());
  });

  it('turns tmux failures into a failed result', async () => {
    const tui = new FakeTui();
    tui.snapshot = async () => {
      throw new GtError('TMUX_FAILED', 'boom');
    };
    expect(
      await nudge(tui, { runtimeDir, ...fast }, { session: 'agent', message: 'x', mode: 'immediate' }),
    ).toMatchObject({ status: 'failed', reason: 'tmux-error' });
    expect(await nudge(tui, { runtimeDir }, { session: 'other', message: 'x', mode: 'immediate' })).toMatchObject({
      status: 'failed',
      reason: 'no-session',
    });
  });
});
