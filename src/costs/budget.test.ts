import { describe, expect, it } from 'vitest';
import { agentsOver, budgetVerdict, slingBreach, type Spend } from './budget.ts';
import { costReport, spendOf } from './report.ts';
import { DEFAULT_PRICES } from './prices.ts';
import type { UsageRow } from './usage-store.ts';

const spend: Spend = {
  day: '2026-01-02',
  today_usd: 4,
  convoys: { 'hq-a': 2.5, 'hq-b': 0.5 },
  agents_today: { 'web/nux': 3, 'web/slit': 1 },
};

describe('budgetVerdict', () => {
  it('is not over without caps, nor under them', () => {
    expect(budgetVerdict(spend, {})).toEqual({ over: false, breaches: [] });
    expect(budgetVerdict(spend, { per_day_usd: 10, per_convoy_usd: 3, per_agent_usd: 5 }).over).toBe(false);
  });

  it('names each reached cap, with a key that changes when the cap is raised', () => {
    const v = budgetVerdict(spend, { per_day_usd: 4, per_convoy_usd: 1, per_agent_usd: 2 });
    expect(v.breaches.map((b) => b.key)).toEqual(['day:2026-01-02:4', 'convoy:hq-a:1', 'agent:web/nux:2']);
    expect(v.breaches[1]!.message).toBe(
      'over budget: convoy hq-a spent $2.50 of its $1.00 budget (budgets.per_convoy_usd)',
    );
    expect(budgetVerdict(spend, { per_convoy_usd: 2 }).breaches[0]!.key).toBe('convoy:hq-a:2');
    expect(agentsOver(v)).toEqual(new Set(['web/nux']));
  });

  it('stops a sling only under a reached cap', () => {
    const convoy = budgetVerdict(spend, { per_convoy_usd: 1 });
    expect(slingBreach(convoy, { convoys: ['hq-b'] })).toBeUndefined();
    expect(slingBreach(convoy, { convoys: ['hq-b', 'hq-a'] })?.subject).toBe('hq-a');
    const day = budgetVerdict(spend, { per_day_usd: 0 });
    expect(slingBreach(day, { convoys: [] })?.scope).toBe('day');
    const agent = budgetVerdict(spend, { per_agent_usd: 2 });
    expect(slingBreach(agent, { convoys: [], agent: 'web/slit' })).toBeUndefined();
    expect(slingBreach(agent, { convoys: [], agent: 'web/nux' })?.scope).toBe('agent');
  });
});

const row = (o: Partial<UsageRow>): UsageRow => ({
  id: 'm',
  session_id: 's',
  address: 'web/nux',
  rig: 'web',
  bead: 'web-a',
  convoy: 'hq-a',
  model: 'claude-sonnet-4-5',
  input: 1_000_000,
  output: 0,
  cache_read: 0,
  cache_write: 0,
  at: '2026-01-02T10:00:00Z',
  ...o,
});

describe('costReport and spendOf', () => {
  const rows = [
    row({ id: 'a' }),
    row({ id: 'b', model: 'claude-haiku-4-5', address: 'web/slit', bead: 'web-b', convoy: null }),
    row({
      id: 'c',
      model: 'mystery-1',
      address: null,
      rig: null,
      bead: null,
      convoy: null,
      at: '2026-01-01T10:00:00Z',
    }),
  ];

  it('groups with tokens by kind and cost per model; unpriced models are flagged', () => {
    const r = costReport(rows, DEFAULT_PRICES, 'agent');
    expect(r.groups.map((g) => [g.key, g.cost_usd, g.unpriced])).toEqual([
      ['web/nux', 3, false],
      ['web/slit', 1, false],
      ['(unattributed)', 0, true],
    ]);
    expect(r.total).toMatchObject({ input: 3_000_000, responses: 3, cost_usd: 4, unpriced: true });
    expect(costReport(rows, DEFAULT_PRICES, 'day').groups.map((g) => g.key)).toEqual(['2026-01-01', '2026-01-02']);
    expect(costReport(rows, DEFAULT_PRICES, 'convoy').groups.map((g) => g.key)).toEqual(['hq-a', '(no convoy)']);
    expect(costReport(rows, DEFAULT_PRICES, 'model').groups[0]!.models).toEqual([
      expect.objectContaining({ model: 'claude-sonnet-4-5', cost_usd: 3 }),
    ]);
  });

  it('spend counts today per agent and all time per convoy', () => {
    expect(spendOf(rows, DEFAULT_PRICES, new Date('2026-01-02T23:00:00Z'))).toEqual({
      day: '2026-01-02',
      today_usd: 4,
      convoys: { 'hq-a': 3 },
      agents_today: { 'web/nux': 3, 'web/slit': 1 },
    });
  });
});
