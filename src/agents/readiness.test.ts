import { describe, expect, it } from 'vitest';
import { waitForReady } from './readiness.ts';

function fakeTmux(screens: string[][], alive = true) {
  let i = 0;
  return {
    hasSession: async () => alive,
    snapshot: async () => ({
      lines: screens[Math.min(i++, screens.length - 1)]!,
      cursorX: 0,
      cursorY: 0,
      inMode: false,
      attached: false,
    }),
  };
}

const claudeLike = { ready: { prompt: '^❯(\\s|$)', delayMs: 10_000 }, busy: 'esc to interrupt' };

describe('waitForReady', () => {
  it('is ready when the prompt shows without a busy marker', async () => {
    const tmux = fakeTmux([['Loading…'], ['✻ Starting (esc to interrupt)', '❯ '], ['❯ ']]);
    expect(await waitForReady(tmux, 's', claudeLike, { pollMs: 1 })).toMatchObject({ ready: true, by: 'prompt' });
  });

  it('falls back to the ready delay', async () => {
    const r = await waitForReady(fakeTmux([['no prompt']]), 's', { ready: { delayMs: 30 } }, { pollMs: 5 });
    expect(r).toMatchObject({ ready: true, by: 'delay' });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(30);
  });

  it('reports an agent that exited, and a timeout', async () => {
    expect(await waitForReady(fakeTmux([[]], false), 's', claudeLike, { pollMs: 1 })).toMatchObject({
      ready: false,
      reason: 'exited',
    });
    expect(await waitForReady(fakeTmux([['busy']]), 's', claudeLike, { pollMs: 5, timeoutMs: 40 })).toMatchObject({
      ready: false,
      reason: 'timeout',
    });
  });
});
