// The cost report, pure: usage rows grouped by agent, rig, bead, convoy, day or model, with tokens by kind and the
// estimated cost per model; and the spending that budgets are checked against.
import { dayOf, type Spend } from './budget.ts';
import { costOf, priceFor, roundUsd, type PriceTable } from './prices.ts';
import type { Tokens } from './transcript.ts';
import type { UsageRow } from './usage-store.ts';

export const GROUPINGS = ['agent', 'rig', 'bead', 'convoy', 'day', 'model'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface ModelLine extends Tokens {
  model: string;
  responses: number;
  /** Null when the model has no price (see `costs.prices` in settings). */
  cost_usd: number | null;
}

export interface CostGroup extends Tokens {
  key: string;
  responses: number;
  cost_usd: number;
  /** True when some usage in the group has no price, so cost_usd is a lower bound. */
  unpriced: boolean;
  models: ModelLine[];
}

export interface CostReport {
  by: Grouping;
  since: string | null;
  groups: CostGroup[];
  total: Omit<CostGroup, 'key'>;
}

const NONE: Record<Grouping, string> = {
  agent: '(unattributed)',
  rig: '(town)',
  bead: '(no bead)',
  convoy: '(no convoy)',
  day: '?',
  model: '?',
};

export function groupKey(r: UsageRow, by: Grouping): string {
  const v = by === 'agent' ? r.address : by === 'day' ? dayOf(r.at) : r[by];
  return v ?? NONE[by];
}

const zero = (): Tokens => ({ input: 0, output: 0, cache_read: 0, cache_write: 0 });
function add(a: Tokens, b: Tokens): void {
  a.input += b.input;
  a.output += b.output;
  a.cache_read += b.cache_read;
  a.cache_write += b.cache_write;
}

function summarize(key: string, rows: readonly UsageRow[], prices: PriceTable): CostGroup {
  const byModel = new Map<string, ModelLine>();
  const t = zero();
  for (const r of rows) {
    const m = byModel.get(r.model) ?? { model: r.model, responses: 0, ...zero(), cost_usd: null };
    m.responses++;
    add(m, r);
    add(t, r);
    byModel.set(r.model, m);
  }
  let cost = 0;
  let unpriced = false;
  const models = [...byModel.values()]
    .sort((a, b) => a.model.localeCompare(b.model))
    .map((m) => {
      const price = priceFor(m.model, prices);
      if (!price) {
        unpriced = true;
        return m;
      }
      const c = costOf(m, price);
      cost += c;
      return { ...m, cost_usd: roundUsd(c) };
    });
  return { key, responses: rows.length, ...t, cost_usd: roundUsd(cost), unpriced, models };
}

/** Group rows (already narrowed to the period) by `by`; groups by cost, highest first (days and models by name). */
export function costReport(
  rows: readonly UsageRow[],
  prices: PriceTable,
  by: Grouping,
  since: string | null = null,
): CostReport {
  const groups = new Map<string, UsageRow[]>();
  for (const r of rows) {
    const k = groupKey(r, by);
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  const out = [...groups].map(([k, list]) => summarize(k, list, prices));
  out.sort(
    by === 'day'
      ? (a, b) => a.key.localeCompare(b.key)
      : (a, b) => b.cost_usd - a.cost_usd || a.key.localeCompare(b.key),
  );
  const { key: _k, ...total } = summarize('total', rows, prices);
  return { by, since, groups: out, total };
}

/** What budgets are checked against: the town today, each convoy in all, each agent today (UTC days). */
export function spendOf(rows: readonly UsageRow[], prices: PriceTable, now: Date): Spend {
  const day = now.toISOString().slice(0, 10);
  const convoys: Record<string, number> = {};
  const agents: Record<string, number> = {};
  let today = 0;
  for (const r of rows) {
    const price = priceFor(r.model, prices);
    if (!price) continue;
    const c = costOf(r, price);
    if (r.convoy) convoys[r.convoy] = (convoys[r.convoy] ?? 0) + c;
    if (dayOf(r.at) === day) {
      today += c;
      if (r.address) agents[r.address] = (agents[r.address] ?? 0) + c;
    }
  }
  return { day, today_usd: today, convoys, agents_today: agents };
}
