// Watches as the API serves them: newline-delimited JSON events ({type, object}) on a chunked 200 answer. No
// resourceVersion (or "0"): every current object as ADDED, then changes. A resourceVersion: the changes after it,
// or an ERROR event carrying a 410 Expired Status when that history was compacted. With selectors an object that
// stops matching is DELETED for the watcher and one that starts matching is ADDED. BOOKMARKs when asked for.
import type { ServerResponse } from 'node:http';
import { fieldMatcher, labelMatcher } from './selectors.ts';
import { expired } from './status.ts';
import type { Change, Store } from './store.ts';
import type { KubeObject } from './types.ts';

export interface WatchQuery {
  resource: string;
  kind: string;
  ns?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
}

const BOOKMARK_MS = 5000;

/** Streams a watch on `res` until the client goes away, the timeout passes, or `closeAll` is called. */
export function serveWatch(store: Store, q: WatchQuery, res: ServerResponse, open: Set<() => void>): void {
  const labels = labelMatcher(q.labelSelector);
  const fields = fieldMatcher(q.resource, q.fieldSelector);
  const inScope = (o: KubeObject) => q.ns === undefined || o.metadata.namespace === q.ns;
  const matches = (o: KubeObject | undefined) => Boolean(o && inScope(o) && labels(o) && fields(o));
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);

  const asked = q.resourceVersion && q.resourceVersion !== '0' ? Number(q.resourceVersion) : undefined;
  if (asked !== undefined && !Number.isFinite(asked)) {
    send('ERROR', {
      ...expired(0, store.oldestWatchable()).body(),
      code: 400,
      reason: 'BadRequest',
      message: `invalid resource version: ${q.resourceVersion}`,
    });
    res.end();
    return;
  }
  const from = asked ?? store.version();
  const onChange = (c: Change) => {
    if (c.resource !== q.resource) return;
    const now = matches(c.object);
    const before = c.type === 'ADDED' ? false : matches(c.prev ?? c.object);
    if (c.type === 'DELETED') {
      if (before) send('DELETED', c.object);
    } else if (now && before) send('MODIFIED', c.object);
    else if (now) send('ADDED', c.object);
    else if (before) send('DELETED', c.object);
  };
  const w = store.watch(from, onChange);
  if (w === 'expired') {
    send('ERROR', expired(from, store.oldestWatchable() - 1).body());
    res.end();
    return;
  }
  if (asked === undefined) {
    const current = store.list(q.resource).filter(matches);
    current.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
    for (const o of current) send('ADDED', o);
  } else for (const c of w.replay) onChange(c);

  const bookmark = q.bookmarks
    ? setInterval(
        () =>
          send('BOOKMARK', { kind: q.kind, apiVersion: 'v1', metadata: { resourceVersion: String(store.version()) } }),
        BOOKMARK_MS,
      )
    : undefined;
  const timeout = q.timeoutSeconds ? setTimeout(() => close(), q.timeoutSeconds * 1000) : undefined;
  const close = () => {
    w.stop();
    if (bookmark) clearInterval(bookmark);
    if (timeout) clearTimeout(timeout);
    open.delete(close);
    if (!res.writableEnded) res.end();
  };
  open.add(close);
  res.on('close', close);
}
