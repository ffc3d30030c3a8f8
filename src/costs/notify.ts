// Telling the overseer and the Mayor once per reached budget cap (a raised cap reached again is told again).
import type { Store } from '../beads/index.ts';
import { messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { latestBySubject, recordTownEvent, type AgentAddress, type TownContext } from '../town/index.ts';
import type { Breach } from './budget.ts';
import { BUDGET_EVENT, type BudgetState } from './budgets.ts';

/** Sends one mail: work/mail's `sendMail`, passed in by the daemon because mail sits in a layer above costs. */
export type SendBudgetMail = (
  town: TownContext,
  mail: {
    from: AgentAddress;
    to: AgentAddress;
    subject: string;
    body: string;
    type: 'notification';
    priority: number;
    notify: boolean;
  },
) => Promise<unknown>;

/**
 * Mail the overseer and the Mayor about each reached cap not told before (a `costs.budget-reached` event per cap
 * key). Returns the breaches told now. A failed mail is recorded in the event and not retried.
 */
export async function notifyBudgets(
  town: TownContext,
  state: BudgetState,
  openStore: () => Store,
  sendMail: SendBudgetMail,
): Promise<Breach[]> {
  const store = openStore();
  let fresh: Breach[];
  try {
    fresh = store.write(() => {
      const told = new Set(latestBySubject(store, { kind: BUDGET_EVENT }).map((e) => e.subject));
      const out = state.verdict.breaches.filter((b) => !told.has(b.key));
      for (const b of out)
        recordTownEvent(store, {
          actor: 'daemon',
          kind: BUDGET_EVENT,
          subject: b.key,
          reason: b.message,
          data: { scope: b.scope, subject: b.subject, spent_usd: b.spent_usd, limit_usd: b.limit_usd },
        });
      return out;
    });
  } finally {
    store.close();
  }
  for (const b of fresh) {
    const what =
      b.scope === 'day'
        ? "today's town budget"
        : b.scope === 'convoy'
          ? `the budget of convoy ${b.subject}`
          : `the daily budget of ${b.subject}`;
    const body = `${b.message}.\n\nGas Town slings no new work under ${what} until it is raised. Work already running goes on.\nTo resume: raise or remove ${b.setting} in settings/config.json; the daemon picks it up on its next tick.\nSpending: gt costs --by ${b.scope === 'day' ? 'day' : b.scope}`;
    for (const to of [{ kind: 'overseer' }, { kind: 'mayor' }] as const) {
      try {
        await sendMail(town, {
          from: { kind: 'overseer' },
          to,
          subject: `Budget reached: ${what}`,
          body,
          type: 'notification',
          priority: 1,
          notify: to.kind === 'mayor',
        });
      } catch (e) {
        const s = openStore();
        try {
          recordTownEvent(s, {
            actor: 'daemon',
            kind: TOWN_EVENTS.costs.budgetMailFailed,
            subject: b.key,
            reason: messageOf(e),
          });
        } finally {
          s.close();
        }
      }
    }
  }
  return fresh;
}
