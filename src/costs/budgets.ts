// Budgets against the town: what was spent, which caps are reached, the check sling makes before hooking new work,
// read from the town store only (sling calls it, so it must not reach up into work/).
import { trackersOf, type Store } from '../beads/index.ts';
import { TOWN_EVENTS } from '../kernel/index.ts';
import type { TownContext } from '../town/index.ts';
import {
  agentsOver,
  budgetVerdict,
  slingBreach,
  type Breach,
  type Budgets,
  type BudgetVerdict,
  type Spend,
} from './budget.ts';
import { priceTable, type PriceTable } from './prices.ts';
import { spendOf } from './report.ts';
import { spendRows } from './usage-store.ts';

export interface BudgetState {
  budgets: Budgets;
  spend: Spend;
  verdict: BudgetVerdict;
}

export const BUDGET_EVENT = TOWN_EVENTS.costs.budgetReached;

export function townPrices(town: TownContext): PriceTable {
  return priceTable(town.settings.costs?.prices ?? {});
}

export function hasBudgets(b: Budgets): boolean {
  return b.per_convoy_usd !== undefined || b.per_agent_usd !== undefined || b.per_day_usd !== undefined;
}

/** Spending and verdict, read from an open town store. */
export function budgetStateIn(store: Store, town: TownContext, now = new Date()): BudgetState {
  const budgets = town.settings.budgets;
  const spend = spendOf(spendRows(store), townPrices(town), now);
  return { budgets, spend, verdict: budgetVerdict(spend, budgets) };
}

/** The convoys tracking a bead. */
function convoysOf(store: Store, bead: string): string[] {
  return trackersOf(store, bead, { type: 'convoy' });
}

/** Sling's check: the reached cap that stops hooking `bead` (to `agent`, when named), if any. Cheap when no budgets are set. */
export function slingBudgetCheck(store: Store, town: TownContext, bead: string, agent?: string): Breach | undefined {
  if (!hasBudgets(town.settings.budgets)) return undefined;
  const state = budgetStateIn(store, town);
  if (!state.verdict.over) return undefined;
  return slingBreach(state.verdict, { convoys: convoysOf(store, bead), agent });
}

/** The hint a refused or held sling carries. */
export function budgetHint(b: Breach): string {
  return `raise or remove ${b.setting} in settings/config.json (see spending with gt costs --by ${b.scope === 'day' ? 'day' : b.scope}); the daemon resumes on its next tick`;
}

/** Agents over their daily cap: a sling to a rig does not reuse them. Empty when no agent cap is set. */
export function agentsOverBudget(store: Store, town: TownContext): Set<string> {
  if (town.settings.budgets.per_agent_usd === undefined) return new Set();
  return agentsOver(budgetStateIn(store, town).verdict);
}
