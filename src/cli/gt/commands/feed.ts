// gt feed: the town's activity stream (town_events) in a terminal; --follow keeps printing new events until Ctrl-C.
import type { Command } from 'commander';
import { safeLine, TOWN_EVENT_KINDS, TOWN_EVENTS, usageError } from '../../../kernel/index.ts';
import { lastTownEventId, openTownStore, type TownEvent } from '../../../town/index.ts';
import { eventsAfter, feedEvents } from '../../../dashboard/server/feed.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

const POLL_MS = 250;

export function registerFeed(program: Command, ctx: GtCtx): void {
  program
    .command('feed')
    .description('the activity stream: every decision of sling, done, the refinery, convoys and the daemon')
    .option('-n, --lines <n>', 'how many recent events to show', '20')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('-k, --kind <prefix>', 'only events whose kind starts with this (e.g. refinery.)')
    .addHelpText(
      'after',
      '\nExamples:\n  gt feed\n  gt feed -n 100 --kind refinery.\n  gt feed --follow\n  gt feed --follow --json',
    )
    .action(async (o: { lines: string; follow?: boolean; kind?: string }) => {
      const n = Number(o.lines);
      if (!Number.isInteger(n) || n < 0 || n > 10_000)
        throw usageError('GT_BAD_LINES', `-n must be a whole number from 0 to 10000, not "${o.lines}"`);
      if (o.kind !== undefined && !TOWN_EVENT_KINDS.some((k) => k.startsWith(o.kind!))) {
        throw usageError(
          'GT_BAD_KIND',
          `no event kind starts with "${o.kind}"`,
          `kinds start with ${Object.keys(TOWN_EVENTS).join(', ')} (e.g. --kind refinery.)`,
        );
      }
      const store = openTownStore(ctx.town(), { actor: 'gt feed' });
      try {
        const kind = o.kind ? { kindPrefix: o.kind } : {};
        const first = n === 0 ? [] : feedEvents(store, { limit: n, ...kind });
        if (!o.follow) {
          emit(ctx.io, ctx.json(), { data: first, text: first.map(renderEvent).join('\n') });
          return;
        }
        const print = (events: TownEvent[]): void => {
          for (const e of events) ctx.io.out(`${ctx.json() ? JSON.stringify(e) : renderEvent(e)}\n`);
        };
        print(first);
        let last = first.at(-1)?.id ?? lastTownEventId(store);
        await untilSignal(() => {
          const events = eventsAfter(store, last, { limit: 1000, ...kind });
          print(events);
          last = events.at(-1)?.id ?? last;
        });
      } finally {
        store.close();
      }
    });
}

/** Call `tick` every 250 ms until SIGINT or SIGTERM. */
function untilSignal(tick: () => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(tick, POLL_MS);
    const stop = (): void => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `HH:MM:SS actor kind subject: reason` (UTC, as stored), one terminal-safe line per event. */
export function renderEvent(e: TownEvent): string {
  return safeLine(
    `${e.at.slice(11, 19)} ${e.actor.padEnd(10)} ${e.kind.padEnd(22)} ${e.subject ?? ''}${e.reason ? `: ${e.reason}` : ''}`.trimEnd(),
  );
}
