// The daemon's costs step: sweep the transcripts of the town's agents, then tell people about newly reached budgets.
import { openTownStore, type TownContext } from '../town/index.ts';
import { budgetStateIn, hasBudgets } from './budgets.ts';
import { notifyBudgets, type SendBudgetMail } from './notify.ts';
import { sweepTranscripts } from './record.ts';

export interface CostsStepResult {
  /** Transcripts that had new responses. */
  recorded: number;
  /** Responses seen for the first time. */
  added: number;
  /** Caps reached and told about in this step. */
  told: string[];
}

export async function costsStep(town: TownContext, sendMail: SendBudgetMail): Promise<CostsStepResult> {
  const results = sweepTranscripts(town);
  const recorded = results.filter((r) => r.status === 'recorded' && r.read > 0).length;
  const added = results.reduce((n, r) => n + r.added, 0);
  if (!hasBudgets(town.settings.budgets)) return { recorded, added, told: [] };
  const open = (): ReturnType<typeof openTownStore> => openTownStore(town, { actor: 'daemon' });
  const store = open();
  let state;
  try {
    state = budgetStateIn(store, town);
  } finally {
    store.close();
  }
  const told = await notifyBudgets(town, state, open, sendMail);
  return { recorded, added, told: told.map((b) => b.key) };
}
