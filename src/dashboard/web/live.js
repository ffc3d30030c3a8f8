// The live connection: one EventSource on /api/events that reconnects by itself (also when the server answered an
// error and the browser gave up), reporting hello / event / refresh messages and the connection state.
import { get, pageKey } from './api.js';

const STALE_MS = 40_000; // the server sends a heartbeat every 15 s; silence this long means a dead connection

/**
 * connectLive({ onHello(msg, reconnected), onEvent(ev), onRefresh(panels), onState('live'|'connecting'|'down') })
 * Returns a function that closes the connection for good.
 */
export function connectLive(handlers) {
  let es = null;
  let lastId = null;
  let everConnected = false;
  let retryMs = 1000;
  let timer = null;
  let lastSeen = Date.now();
  let closed = false;

  const open = () => {
    if (closed) return;
    const key = `csrf=${encodeURIComponent(pageKey())}`;
    const url = lastId === null ? `/api/events?${key}` : `/api/events?${key}&after=${lastId}`;
    es = new EventSource(url);
    if (!everConnected) handlers.onState?.('connecting');
    es.onopen = () => {
      lastSeen = Date.now();
      retryMs = 1000;
    };
    es.onmessage = (m) => {
      lastSeen = Date.now();
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      if (msg.type === 'hello') {
        handlers.onState?.('live');
        handlers.onHello?.(msg, everConnected);
        everConnected = true;
        if (lastId === null && typeof msg.last_id === 'number') lastId = msg.last_id;
      } else if (msg.type === 'event') {
        if (typeof msg.id === 'number') lastId = Math.max(lastId ?? 0, msg.id);
        handlers.onEvent?.(msg);
      } else if (msg.type === 'refresh') {
        handlers.onRefresh?.(Array.isArray(msg.panels) ? msg.panels : []);
      }
    };
    es.onerror = () => {
      // A connection that was live and dropped means the server is gone (for now): say so, not "connecting".
      handlers.onState?.(es.readyState === EventSource.CLOSED || everConnected ? 'down' : 'connecting');
      // CLOSED: the browser will not retry (an HTTP error, or the server went away mid-handshake): we do.
      // An EventSource hides the status: ask a route, whose 401 (the token changed) signs the page out (api.js).
      if (es.readyState === EventSource.CLOSED) {
        get('/api/session').catch(() => {});
        restart();
      }
    };
  };

  const restart = () => {
    es?.close();
    clearTimeout(timer);
    timer = setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  const watchdog = setInterval(() => {
    if (es && es.readyState === EventSource.OPEN && Date.now() - lastSeen > STALE_MS) restart();
  }, 5_000);

  open();
  return () => {
    closed = true;
    clearInterval(watchdog);
    clearTimeout(timer);
    es?.close();
  };
}
