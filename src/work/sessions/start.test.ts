// The first prompt of a fresh session: the prime instruction only for runtimes that cannot prime themselves.
import { describe, expect, it } from 'vitest';
import type { AgentIdentity } from './identity.ts';
import { firstPrompt } from './start.ts';

const polecat: AgentIdentity = {
  address: 'app/nux',
  role: 'polecat',
  rig: 'app',
  name: 'nux',
  session: 'app-nux',
  workdir: '/town/app/polecats/nux',
  git: { name: 'app/nux', email: 'app.nux@gastown.local' },
};

describe('firstPrompt', () => {
  it('tells a runtime without a session-start hook to run gt prime, then what it was given', () => {
    expect(firstPrompt(polecat, false, 'Your hook holds gt-1.')).toBe(
      'Gas Town: you are app/nux (polecat). Run `gt prime` now and follow what it says. Your hook holds gt-1.',
    );
    expect(firstPrompt(polecat, false, undefined)).toBe(
      'Gas Town: you are app/nux (polecat). Run `gt prime` now and follow what it says.',
    );
  });

  it('does not tell a self-priming runtime to prime again: who it is and what it was given, or no prompt at all', () => {
    expect(firstPrompt(polecat, true, 'Your hook holds gt-1.')).toBe(
      'Gas Town: you are app/nux (polecat). Your hook holds gt-1.',
    );
    expect(firstPrompt(polecat, true, undefined)).toBeUndefined();
  });
});
