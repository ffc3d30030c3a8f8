// gt costs: tokens and estimated cost, grouped by agent, rig, bead, convoy, day or model, with the budgets; and
// `gt costs record`, the Stop hook that reads the session's transcript into the usage table.
import type { Command } from 'commander';
import { messageOf } from '../../../kernel/index.ts';
import {
  costsView,
  GROUPINGS,
  parseGrouping,
  parseSince,
  recordUsage,
  skippedWarning,
  type CostsView,
  type RecordResult,
} from '../../../costs/index.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

interface HookInput {
  session_id?: unknown;
  transcript_path?: unknown;
}

export function registerCosts(program: Command, ctx: GtCtx): void {
  const costs = program
    .command('costs')
    .description("tokens and estimated cost of the town's agents, by agent, rig, bead, convoy, day or model; budgets")
    .option('--by <grouping>', `group by ${GROUPINGS.join('|')}`, 'agent')
    .option('--since <when>', 'only usage since a date (2026-01-31) or for a duration back from now (24h, 7d)')
    .addHelpText('after', '\nExamples:\n  gt costs\n  gt costs --by convoy --since 7d\n  gt costs --by day --json')
    .action((o: { by: string; since?: string }) => {
      const by = parseGrouping(o.by);
      const since = o.since !== undefined ? parseSince(o.since) : undefined;
      const view = costsView(ctx.town(), { by, since });
      for (const w of view.warnings) ctx.io.err(`warning: ${w}\n`);
      emit(ctx.io, ctx.json(), { data: view, text: renderCosts(view) });
    });

  costs
    .command('record')
    .description(
      "read a session's transcript into the usage table (Claude Code's Stop hook; reads the hook JSON on stdin)",
    )
    .option('--transcript <path>', 'the transcript to read (default: transcript_path from the hook JSON on stdin)')
    .option('--session <id>', 'the runtime session id (default: session_id from stdin)')
    .option(
      '--address <address>',
      'the agent it belongs to (default: GT_ADDRESS, else the session id or the directory)',
    )
    .addHelpText(
      'after',
      '\nA hook never fails: problems are reported on stderr and the exit status stays 0.\n\nExamples:\n  gt costs record --transcript ~/.claude/projects/-home-me-gt-web-polecats-nux/1b2c.jsonl\n  echo \'{"session_id":"1b2c","transcript_path":"/path/1b2c.jsonl"}\' | gt costs record',
    )
    .action((o: { transcript?: string; session?: string; address?: string }) => {
      let results: RecordResult[];
      try {
        const input = o.transcript ? {} : readHookInput(ctx.io.stdin());
        const path = o.transcript ?? (typeof input.transcript_path === 'string' ? input.transcript_path : undefined);
        if (!path) {
          ctx.io.err(
            'gt costs record: no transcript (give --transcript, or the hook JSON with transcript_path on stdin)\n',
          );
          return;
        }
        const sessionId = o.session ?? (typeof input.session_id === 'string' ? input.session_id : undefined);
        const address = o.address ?? (ctx.io.env.GT_ADDRESS || undefined);
        results = recordUsage(ctx.town(), { transcriptPath: path, sessionId, address });
      } catch (e) {
        // A Stop hook must never get in the agent's way: say what happened and succeed.
        ctx.io.err(`gt costs record: ${messageOf(e)}\n`);
        return;
      }
      for (const r of results) {
        const w = skippedWarning(r);
        if (w) ctx.io.err(`warning: ${w}\n`);
      }
      const added = results.reduce((n, r) => n + r.added, 0);
      emit(ctx.io, ctx.json(), {
        data: results,
        text: ctx.io.env.GT_ADDRESS
          ? ''
          : `Recorded ${added} new response${added === 1 ? '' : 's'} from ${results.filter((r) => r.status !== 'missing').length} transcript(s)`,
      });
    });
}

function readHookInput(text: string): HookInput {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as HookInput) : {};
  } catch {
    return {};
  }
}

const n = (x: number): string => x.toLocaleString('en-US');
const usd = (x: number | null): string => (x === null ? 'no price' : `$${x.toFixed(4)}`);

export function renderCosts(v: CostsView): string {
  const out: string[] = [`Costs by ${v.by}${v.since ? ` since ${v.since}` : ''}`];
  if (v.groups.length === 0)
    out.push(
      '  no usage recorded yet (the Stop hook and the daemon record it; or gt costs record --transcript <file>)',
    );
  else {
    const head = `  ${'GROUP'.padEnd(28)} ${'INPUT'.padStart(12)} ${'OUTPUT'.padStart(10)} ${'CACHE-READ'.padStart(12)} ${'CACHE-WRITE'.padStart(12)} ${'COST'.padStart(12)}`;
    out.push(head);
    const row = (
      label: string,
      t: { input: number; output: number; cache_read: number; cache_write: number },
      cost: string,
    ): string =>
      `  ${label.padEnd(28)} ${n(t.input).padStart(12)} ${n(t.output).padStart(10)} ${n(t.cache_read).padStart(12)} ${n(t.cache_write).padStart(12)} ${cost.padStart(12)}`;
    for (const g of v.groups) {
      out.push(row(g.key, g, `${usd(g.cost_usd)}${g.unpriced ? '+' : ''}`));
      if (v.by !== 'model') for (const m of g.models) out.push(row(`  ${m.model}`, m, usd(m.cost_usd)));
    }
    out.push(row('TOTAL', v.total, `${usd(v.total.cost_usd)}${v.total.unpriced ? '+' : ''}`));
    if (v.total.unpriced) out.push('  + some models have no price: set costs.prices.<model> in settings/config.json');
  }
  const b = v.budgets.settings;
  const caps = [
    b.per_day_usd !== undefined
      ? `per day $${b.per_day_usd} (spent today $${v.budgets.spent_today_usd.toFixed(4)})`
      : '',
    b.per_convoy_usd !== undefined ? `per convoy $${b.per_convoy_usd}` : '',
    b.per_agent_usd !== undefined ? `per agent per day $${b.per_agent_usd}` : '',
  ].filter(Boolean);
  out.push('', `Budgets: ${caps.length ? caps.join(', ') : 'none set (budgets in settings/config.json)'}`);
  for (const r of v.budgets.reached) out.push(`  ! ${r.message}: no new work is slung under it`);
  return out.join('\n');
}
