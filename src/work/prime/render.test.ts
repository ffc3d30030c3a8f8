import { describe, expect, it } from 'vitest';
import type { Bead, Comment } from '../../beads/index.ts';
import type { PrimeContext } from './gather.ts';
import { renderPrime } from './render.ts';

function bead(over: Partial<Bead> = {}): Bead & { comments: Comment[] } {
  return {
    id: 'web-a1',
    title: 'Greet the world',
    description: 'File: "greet.txt" Content: "Hello"',
    design: '',
    acceptance: '',
    notes: '',
    status: 'hooked',
    priority: 2,
    type: 'task',
    assignee: 'web/nux',
    labels: [],
    created_at: '',
    created_by: '',
    updated_at: '',
    closed_at: null,
    close_reason: null,
    external_ref: null,
    defer_until: null,
    metadata: null,
    ephemeral: false,
    deleted_at: null,
    deleted_by: null,
    comments: [],
    ...over,
  };
}

function polecat(hooked?: ReturnType<typeof bead>): PrimeContext {
  const role = {
    address: { kind: 'polecat', rig: 'web', name: 'nux' },
    text: 'web/nux',
    source: 'environment',
  } as PrimeContext['role'];
  return { town: 't', role, ...(hooked ? { hooked } : {}), steps: [], mail: [], rigs: ['web'] };
}

describe('renderPrime for a polecat', () => {
  it('says to finish with gt done alone, names the hook for discovered work, and ends with the hook', () => {
    const text = renderPrime(polecat(bead()));
    expect(text).toContain('finish with `gt done`, which commits what is left (no separate commit needed)');
    expect(text).toContain('--deps discovered-from:web-a1');
    expect(text).not.toContain('## Now');
    expect(text.trimEnd().endsWith('File: "greet.txt" Content: "Hello"')).toBe(true);
  });

  it('shows only the facts of the hook that differ from a hooked P2 task', () => {
    expect(renderPrime(polecat(bead()))).toContain('## Your hook: web-a1 Greet the world\n\n### Description');
    expect(renderPrime(polecat(bead({ type: 'bug', priority: 0, status: 'blocked', labels: ['ui'] })))).toContain(
      '## Your hook: web-a1 Greet the world\nbug, P0, blocked, labels ui\n',
    );
  });

  it('tells a polecat with an empty hook what to do, and a light prime leaves the rules out', () => {
    expect(renderPrime(polecat())).toContain('## Now\nNothing is on your hook.');
    const light = renderPrime(polecat(bead()), { light: true });
    expect(light).not.toContain('Rules of a polecat');
    expect(light).toContain('## Your hook: web-a1');
  });
});
