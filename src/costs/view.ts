// What `gt costs` shows: the report for a period and grouping, plus the budgets and which caps are reached. Reads
// the usage table after sweeping known transcripts, so the figures are current even without the daemon.
import { usageError } from '../kernel/index.ts';
import { openTownStore, type TownContext } from '../town/index.ts';
import type { Breach, Budgets, Spend } from './budget.ts';
import { budgetStateIn, townPrices } from './budgets.ts';
import { roundUsd } from './prices.ts';
import { sweepTranscripts, type RecordResult } from './record.ts';
import { costReport, GROUPINGS, type CostReport, type Grouping } from './report.ts';
import { usageRows } from './usage-store.ts';

export interface CostsView extends CostReport {
  budgets: { settings: Budgets; spent_today_usd: number; day: string; reached: Breach[] };
  /** Transcripts read on the way that had lines which were not JSON. */
  warnings: string[];
}

export function parseGrouping(s: string | undefined): Grouping {
  const v = (s ?? 'agent').trim().toLowerCase();
  if ((GROUPINGS as readonly string[]).includes(v)) return v as Grouping;
  throw usageError(
    'GT_BAD_GROUPING',
    `--by "${s}" is not a grouping`,
    `use one of: ${GROUPINGS.join(', ')} (e.g. gt costs --by convoy)`,
  );
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from now (`30m`, `24h`, `7d`, `2w`) or a date/time (`2026-01-31`, ISO-8601). */
export function parseSince(s: string, now = new Date()): string {
  const v = s.trim();
  const d = /^(\d+)\s*([mhdw])$/i.exec(v);
  if (d) return new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2]!.toLowerCase()]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  throw usageError(
    'GT_BAD_SINCE',
    `--since "${s}" is neither a duration nor a date`,
    'give a duration such as 24h, 7d or 2w, or a date such as 2026-01-31',
  );
}

export function skippedWarning(r: RecordResult): string | undefined {
  if (r.error) return `${r.path}: ${r.error}`;
  if (r.skipped === 0) return undefined;
  return `${r.path}: skipped ${r.skipped} line${r.skipped === 1 ? '' : 's'} that ${r.skipped === 1 ? 'is' : 'are'} not JSON (line${r.skipped === 1 ? '' : 's'} ${r.skippedLines.join(', ')}${r.skipped > r.skippedLines.length ? ', …' : ''})`;
}

export function costsView(
  town: TownContext,
  o: { by: Grouping; since?: string | undefined; sweep?: boolean },
): CostsView {
  const warnings = (o.sweep === false ? [] : sweepTranscripts(town)).flatMap((r) => skippedWarning(r) ?? []);
  const store = openTownStore(town, { actor: 'gt costs' });
  try {
    const report = costReport(usageRows(store, o.since), townPrices(town), o.by, o.since ?? null);
    const state = budgetStateIn(store, town);
    return { ...report, budgets: budgetsOf(state.budgets, state.spend, state.verdict.breaches), warnings };
  } finally {
    store.close();
  }
}

function budgetsOf(settings: Budgets, spend: Spend, reached: Breach[]): CostsView['budgets'] {
  return { settings, spent_today_usd: roundUsd(spend.today_usd), day: spend.day, reached };
}
