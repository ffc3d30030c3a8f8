// Costs: token usage read from agent transcripts, attributed to agent, bead and convoy; prices; budgets.
export {
  parseTranscript,
  usageOfEntry,
  mergeRecord,
  completeLines,
  escapeProjectDir,
  type UsageRecord,
  type Tokens,
  type ParsedTranscript,
} from './transcript.ts';
export { openCodeUsage, readOpenCodeDb, openCodeDatabases, type OpenCodeMessageRow } from './opencode.ts';
export { DEFAULT_PRICES, priceTable, priceFor, costOf, roundUsd, type Price, type PriceTable } from './prices.ts';
export { attribute, addressFor, beadAt, rigOf, type AttributionFacts, type Attribution } from './attribute.ts';
export {
  budgetVerdict,
  slingBreach,
  agentsOver,
  dayOf,
  type Budgets,
  type Spend,
  type Breach,
  type BudgetVerdict,
  type BudgetScope,
} from './budget.ts';
export {
  costReport,
  spendOf,
  groupKey,
  GROUPINGS,
  type Grouping,
  type CostReport,
  type CostGroup,
  type ModelLine,
} from './report.ts';
export {
  readFacts,
  upsertUsage,
  usageRows,
  listSources,
  spendRows,
  usageAvailable,
  USAGE_PART,
  type UsageRow,
  type UsageSource,
} from './usage-store.ts';
export {
  recordUsage,
  sweepTranscripts,
  sweepOpenCode,
  openCodeDatabasesOf,
  findTranscript,
  claudeConfigDirs,
  type RecordRequest,
  type RecordResult,
} from './record.ts';
export {
  budgetStateIn,
  slingBudgetCheck,
  agentsOverBudget,
  budgetHint,
  hasBudgets,
  townPrices,
  BUDGET_EVENT,
  type BudgetState,
} from './budgets.ts';
export { notifyBudgets, type SendBudgetMail } from './notify.ts';
export { costsStep, type CostsStepResult } from './daemon-step.ts';
export { costsView, parseGrouping, parseSince, skippedWarning, type CostsView } from './view.ts';
