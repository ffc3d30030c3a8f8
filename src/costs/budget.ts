// Budget verdicts, pure: given what was spent and the caps in settings, which caps are reached, and whether a sling
// of a bead (in these convoys, to this agent) falls under one of them.

export interface Budgets {
  per_convoy_usd?: number | undefined;
  per_agent_usd?: number | undefined;
  per_day_usd?: number | undefined;
}

/** Spending the verdict looks at: the town today (UTC day), each convoy in all, each agent today. */
export interface Spend {
  day: string;
  today_usd: number;
  convoys: Readonly<Record<string, number>>;
  agents_today: Readonly<Record<string, number>>;
}

export type BudgetScope = 'day' | 'convoy' | 'agent';

export interface Breach {
  scope: BudgetScope;
  /** The day (YYYY-MM-DD), the convoy id or the agent address. */
  subject: string;
  spent_usd: number;
  limit_usd: number;
  /** The settings key that sets the cap. */
  setting: 'budgets.per_day_usd' | 'budgets.per_convoy_usd' | 'budgets.per_agent_usd';
  /** Identity of this breach for telling people once: scope, subject and the cap (a raised cap reached again is new). */
  key: string;
  message: string;
}

export interface BudgetVerdict {
  over: boolean;
  breaches: Breach[];
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

function breach(scope: BudgetScope, subject: string, spent: number, limit: number, setting: Breach['setting']): Breach {
  const what =
    scope === 'day'
      ? `the town spent ${usd(spent)} today (${subject})`
      : scope === 'convoy'
        ? `convoy ${subject} spent ${usd(spent)}`
        : `${subject} spent ${usd(spent)} today`;
  return {
    scope,
    subject,
    spent_usd: spent,
    limit_usd: limit,
    setting,
    key: `${scope}:${subject}:${limit}`,
    message: `over budget: ${what} of its ${usd(limit)} budget (${setting})`,
  };
}

/** Every cap that is reached (spent ≥ cap). A cap of 0 is reached at once: no new work at all. */
export function budgetVerdict(spend: Spend, budgets: Budgets): BudgetVerdict {
  const out: Breach[] = [];
  if (budgets.per_day_usd !== undefined && spend.today_usd >= budgets.per_day_usd)
    out.push(breach('day', spend.day, spend.today_usd, budgets.per_day_usd, 'budgets.per_day_usd'));
  if (budgets.per_convoy_usd !== undefined) {
    for (const [id, v] of Object.entries(spend.convoys).sort())
      if (v >= budgets.per_convoy_usd)
        out.push(breach('convoy', id, v, budgets.per_convoy_usd, 'budgets.per_convoy_usd'));
  }
  if (budgets.per_agent_usd !== undefined) {
    for (const [a, v] of Object.entries(spend.agents_today).sort())
      if (v >= budgets.per_agent_usd) out.push(breach('agent', a, v, budgets.per_agent_usd, 'budgets.per_agent_usd'));
  }
  return { over: out.length > 0, breaches: out };
}

/** The breach that stops slinging a bead tracked by `convoys` (to `agent`, when one is named), if any. */
export function slingBreach(
  verdict: BudgetVerdict,
  under: { convoys: readonly string[]; agent?: string | undefined },
): Breach | undefined {
  return verdict.breaches.find(
    (b) =>
      b.scope === 'day' ||
      (b.scope === 'convoy' && under.convoys.includes(b.subject)) ||
      (b.scope === 'agent' && b.subject === under.agent),
  );
}

/** Agents over their daily cap (a sling to a rig does not reuse them). */
export function agentsOver(verdict: BudgetVerdict): Set<string> {
  return new Set(verdict.breaches.filter((b) => b.scope === 'agent').map((b) => b.subject));
}

/** The UTC day of an ISO time. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}
