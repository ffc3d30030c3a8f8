// Usage reports from a workspace away from the town: the transcript is sent to the town in pieces (only what the
// town does not hold yet), which reads it into the usage table (src/server/usage.ts).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';
import { callTown, type TownClient } from './remote.ts';

/** Largest piece sent at once (the town takes 8 MiB a request). */
const PIECE = 4 * 1024 * 1024;

export interface UsageReport {
  size: number;
  results?: unknown[];
  warnings?: string[];
}

async function post(c: TownClient, body: Record<string, unknown>): Promise<UsageReport> {
  const r = await callTown(c, '/api/v1/usage', body);
  const j = r.json as UsageReport & { error?: { code?: string; message?: string; hint?: string } };
  if (r.status !== 200 || j.error)
    throw new GtError(
      j.error?.code ?? 'GT_TOWN_REFUSED',
      j.error?.message ?? `the town answered ${r.status}`,
      j.error?.hint ? { hint: j.error.hint } : {},
    );
  return j;
}

/** Send what the town lacks of `transcriptPath` and have it recorded; whole lines only, so pieces stay valid UTF-8. */
export async function reportUsage(c: TownClient, sessionId: string, transcriptPath: string): Promise<UsageReport> {
  const size = statSync(transcriptPath).size;
  let held = (await post(c, { session_id: sessionId })).size;
  if (held > size) held = 0; // rewritten since: send it again from the start
  if (held === size) return { size };
  const fd = openSync(transcriptPath, 'r');
  try {
    let at = held;
    let last: UsageReport = { size: held };
    while (at < size) {
      const buf = Buffer.alloc(Math.min(PIECE, size - at));
      const n = readSync(fd, buf, 0, buf.length, at);
      let end = n;
      if (at + n < size) {
        const nl = buf.subarray(0, n).lastIndexOf(0x0a);
        end = nl === -1 ? n : nl + 1;
      }
      const done = at + end >= size;
      last = await post(c, { session_id: sessionId, offset: at, text: buf.subarray(0, end).toString('utf8'), done });
      if (last.size <= at)
        throw new GtError(
          'GT_USAGE_STUCK',
          `the town holds ${last.size} bytes of the transcript after a piece from ${at}`,
          { hint: 'the next usage report sends it again' },
        );
      at = last.size;
    }
    return last;
  } finally {
    closeSync(fd);
  }
}
