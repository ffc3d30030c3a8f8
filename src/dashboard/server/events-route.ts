// GET /api/events: server-sent events. Each connection says hello, replays what it missed (Last-Event-ID or
// ?after=), then relays the shared poller's messages, with a heartbeat comment every 15 s (docs/dashboard.md).
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { eventMessage, PANELS, type Live, type LiveMessage } from './live.ts';
import { eventsAfter } from './feed.ts';
import { HttpError } from './errors.ts';
import { withTownStore, type DashState } from './state.ts';

const REPLAY_MAX = 500;
const QUEUE_MAX = 2000;

export function mountEventsRoute(app: Hono, st: DashState, live: Live, opts: { heartbeatMs?: number } = {}): void {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  app.get('/api/events', (c) => {
    const raw = c.req.query('after') ?? c.req.header('last-event-id');
    const after = raw === undefined || raw === '' ? undefined : Number(raw);
    if (after !== undefined && (!Number.isInteger(after) || after < 0))
      throw new HttpError(400, 'GT_BAD_REQUEST', `after must be an event id, not "${raw}"`, { field: 'after' });
    return streamSSE(
      c,
      async (stream) => {
        const queue: LiveMessage[] = [];
        let closed = false;
        let wake: (() => void) | undefined;
        const unsubscribe = live.subscribe((m) => {
          if (m === null) closed = true;
          else if (queue.length < QUEUE_MAX) queue.push(m);
          else queue.splice(0, queue.length, { type: 'refresh', panels: [...PANELS] });
          wake?.();
        });
        stream.onAbort(() => {
          closed = true;
          wake?.();
        });
        try {
          let sent = after ?? live.lastId();
          await stream.write('retry: 2000\n\n');
          await stream.writeSSE({
            data: JSON.stringify({ type: 'hello', last_id: Math.max(sent, live.lastId()), csrf: st.csrf }),
          });
          if (after !== undefined) {
            const missed = withTownStore(st.town(), (s) => eventsAfter(s, after, { limit: REPLAY_MAX }));
            for (const e of missed) {
              await stream.writeSSE({ id: String(e.id), data: JSON.stringify(eventMessage(e)) });
              sent = e.id;
            }
          }
          let beat = Date.now();
          while (!closed && !stream.aborted) {
            for (const m of queue.splice(0)) {
              if (m.type === 'event') {
                if (m.id <= sent) continue;
                sent = m.id;
                await stream.writeSSE({ id: String(m.id), data: JSON.stringify(m) });
              } else {
                await stream.writeSSE({ data: JSON.stringify(m) });
              }
            }
            if (Date.now() - beat >= heartbeatMs) {
              await stream.write(': heartbeat\n\n');
              beat = Date.now();
            }
            if (queue.length === 0) {
              await new Promise<void>((resolve) => {
                const t = setTimeout(done, Math.min(1000, heartbeatMs));
                function done(): void {
                  clearTimeout(t);
                  wake = undefined;
                  resolve();
                }
                wake = done;
              });
            }
          }
        } finally {
          unsubscribe();
        }
      },
      async () => {
        // A write to a closed connection: nothing to tell anyone.
      },
    );
  });
}
