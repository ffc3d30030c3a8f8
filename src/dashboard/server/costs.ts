// The costs panel: spending per agent and per convoy (src/costs/ reports), the budgets and which caps are reached.
// `available: false` when the store holds no usage table yet (a town from before cost accounting).
import {
  budgetStateIn,
  costReport,
  townPrices,
  usageAvailable,
  usageRows,
  type Breach,
  type BudgetState,
  type CostReport,
} from '../../costs/index.ts';
import type { TownContext } from '../../town/index.ts';
import { withTownStore } from './state.ts';

export type CostsView =
  | { available: false }
  | {
      available: true;
      by_agent: CostReport;
      by_convoy: CostReport;
      by_day: CostReport;
      budgets: BudgetState['budgets'];
      spend: BudgetState['spend'];
      breaches: Breach[];
    };

export function costsView(town: TownContext): CostsView {
  try {
    return withTownStore(town, (s) => {
      const rows = usageRows(s);
      const prices = townPrices(town);
      const state = budgetStateIn(s, town);
      return {
        available: true as const,
        by_agent: costReport(rows, prices, 'agent'),
        by_convoy: costReport(rows, prices, 'convoy'),
        by_day: costReport(rows, prices, 'day'),
        budgets: state.budgets,
        spend: state.spend,
        breaches: state.verdict.breaches,
      };
    });
  } catch {
    return { available: false };
  }
}

/** Whether the store has cost accounting (a cheap check for GET /api/session). */
export function costsAvailable(town: TownContext): boolean {
  try {
    return withTownStore(town, usageAvailable);
  } catch {
    return false;
  }
}

/** Reached budget caps as problems ("over budget"). */
export function costProblems(town: TownContext): { kind: 'over-budget'; subject: string; message: string }[] {
  const v = costsView(town);
  return v.available
    ? v.breaches.map((b) => ({ kind: 'over-budget' as const, subject: b.subject, message: b.message }))
    : [];
}
