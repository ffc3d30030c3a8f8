import { describe, expect, it } from 'vitest';
import type { QueuedNudge } from '../../agents/index.ts';
import type { Mail } from './model.ts';
import { formatInjectBlock, formatMailLine, formatMailSummary } from './render.ts';

const mail = (over: Partial<Mail>): Mail => ({
  id: 'hq-mail-a1b2c3',
  from: 'app/witness',
  to: 'mayor',
  subject: 'Stuck polecat',
  body: 'long body',
  priority: 2,
  type: 'message',
  thread_id: 'hq-mail-a1b2c3',
  reply_to: null,
  created_at: '2026-01-01T00:00:00Z',
  read_at: null,
  acked_at: null,
  archived_at: null,
  ...over,
});
const nudge = (over: Partial<QueuedNudge>): QueuedNudge => ({
  id: '1',
  session: 'hq-mayor',
  message: 'look at app',
  priority: 'normal',
  createdAt: '',
  expiresAt: '',
  ...over,
});

describe('mail rendering', () => {
  it('one line per mail, tier tag for urgent and high, type when not a plain message', () => {
    expect(formatMailLine(mail({}))).toBe('hq-mail-a1b2c3  from app/witness  "Stuck polecat"');
    expect(formatMailLine(mail({ priority: 0, type: 'escalation' }))).toBe(
      '[urgent] hq-mail-a1b2c3  from app/witness  "Stuck polecat"  (escalation)',
    );
    expect(formatMailLine(mail({ priority: 1 }))).toMatch(/^\[high\] /);
    expect(formatMailSummary([])).toBe('');
  });

  it('the inject block is empty with nothing to say, else a system reminder with mail and nudges', () => {
    expect(formatInjectBlock([], [])).toBe('');
    const block = formatInjectBlock(
      [mail({ priority: 0 })],
      [nudge({ from: 'mayor' }), nudge({ message: 'now', priority: 'urgent' })],
    );
    expect(block.split('\n')).toEqual([
      '<system-reminder>',
      '📬 1 unread mail (read: gt mail read <id>; then gt mail ack <id> or gt mail archive <id>)',
      '  [urgent] hq-mail-a1b2c3  from app/witness  "Stuck polecat"',
      '💬 2 nudges while you were busy:',
      '  mayor: look at app',
      '  [urgent] now',
      '</system-reminder>',
      '',
    ]);
    expect(block).not.toContain('long body');
    expect(formatInjectBlock([], [nudge({})])).toContain('look at app');
  });
});
