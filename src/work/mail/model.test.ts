import { describe, expect, it } from 'vitest';
import { byUrgency, checkMailType, checkPriority, checkSubject, newMailId, replySubject, type Mail } from './model.ts';

const mail = (id: string, priority: number, created_at: string): Mail => ({
  id,
  from: 'overseer',
  to: 'mayor',
  subject: id,
  body: '',
  priority,
  type: 'message',
  thread_id: id,
  reply_to: null,
  created_at,
  read_at: null,
  acked_at: null,
  archived_at: null,
});

describe('mail model', () => {
  it('makes short, distinct ids', () => {
    const ids = new Set(Array.from({ length: 500 }, () => newMailId()));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^hq-mail-[0-9a-z]{6}$/);
  });

  it('prefixes "Re: " once', () => {
    expect(replySubject('Deploy')).toBe('Re: Deploy');
    expect(replySubject('Re: Deploy')).toBe('Re: Deploy');
    expect(replySubject('RE: Deploy')).toBe('RE: Deploy');
  });

  it('checks priority, type and subject', () => {
    expect(checkPriority(undefined)).toBe(2);
    expect(checkPriority('0')).toBe(0);
    expect(checkPriority(4)).toBe(4);
    for (const bad of ['5', '-1', '1.5', 'high', '']) expect(() => checkPriority(bad)).toThrow(/is not 0–4/);
    expect(checkMailType(undefined)).toBe('message');
    expect(checkMailType('handoff')).toBe('handoff');
    expect(() => checkMailType('spam')).toThrow(/mail type "spam" is not known/);
    expect(checkSubject('  hi ')).toBe('hi');
    expect(() => checkSubject(' ')).toThrow(/no subject/);
    expect(() => checkSubject('a\nb')).toThrow(/several lines/);
  });

  it('orders by urgency, then oldest first', () => {
    const list = [
      mail('c', 2, '2026-01-01T00:00:01Z'),
      mail('b', 0, '2026-01-01T00:00:02Z'),
      mail('a', 2, '2026-01-01T00:00:00Z'),
    ];
    expect(list.sort(byUrgency).map((m) => m.id)).toEqual(['b', 'a', 'c']);
  });
});
