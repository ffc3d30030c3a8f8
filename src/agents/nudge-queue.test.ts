import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainQueue, enqueueNudge, peekQueue, QUEUE_MAX_DEPTH, queueDir } from './nudge-queue.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gt-queue-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('nudge queue', () => {
  it('drains in the order messages were queued, once', () => {
    for (const m of ['one', 'two', 'three']) enqueueNudge(dir, { session: 's', message: m });
    expect(peekQueue(dir, 's').map((n) => n.message)).toEqual(['one', 'two', 'three']);
    expect(drainQueue(dir, 's').map((n) => n.message)).toEqual(['one', 'two', 'three']);
    expect(drainQueue(dir, 's')).toEqual([]);
    expect(readdirSync(queueDir(dir, 's'))).toEqual([]);
  });

  it('drops expired messages: 30 minutes normal, 2 hours urgent', () => {
    const then = new Date('2026-01-01T10:00:00Z');
    enqueueNudge(dir, { session: 's', message: 'normal', now: then });
    enqueueNudge(dir, { session: 's', message: 'urgent', priority: 'urgent', now: then });
    const later = new Date('2026-01-01T10:45:00Z');
    expect(drainQueue(dir, 's', later).map((n) => n.message)).toEqual(['urgent']);
  });

  it('refuses to grow past the maximum depth', () => {
    for (let i = 0; i < QUEUE_MAX_DEPTH; i++)
      expect(enqueueNudge(dir, { session: 's', message: `m${i}` })).toBeDefined();
    expect(enqueueNudge(dir, { session: 's', message: 'one too many' })).toBeUndefined();
  });

  it('keeps sessions apart and returns nothing for an unknown one', () => {
    enqueueNudge(dir, { session: 'a', message: 'for a' });
    expect(drainQueue(dir, 'b')).toEqual([]);
    expect(drainQueue(dir, 'a').map((n) => n.session)).toEqual(['a']);
  });
});
