// Usage reports from agents elsewhere: the runtime's transcript lives on the agent's machine, so its client sends it
// here in pieces, appended to a spool file of the town (`.runtime/remote-transcripts/<agent>/<session>.jsonl`), and
// the town reads that file into the usage table as it reads a local transcript (docs/costs.md). The spool path comes
// from the token and the session id, never from the caller, so no caller can make the town read a file of its own.
import { closeSync, mkdirSync, openSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { GtError } from '../kernel/index.ts';
import { recordUsage, skippedWarning, type RecordResult } from '../costs/index.ts';
import type { TownContext } from '../town/index.ts';
import type { Principal } from './auth.ts';

export const UsageBody = z.strictObject({
  session_id: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,200}$/)),
  /** Where `text` starts in the transcript; absent: only ask how much the town has. */
  offset: z.optional(z.number().check(z.int(), z.gte(0))),
  text: z.optional(z.string()),
  /** The last piece: read the spool into the usage table. */
  done: z.optional(z.boolean()),
});

export type UsageRequest = z.infer<typeof UsageBody>;

export interface UsageReply {
  /** Bytes of the transcript the town holds. */
  size: number;
  results?: RecordResult[];
  warnings?: string[];
}

function spoolOf(town: TownContext, address: string, session: string): string {
  const dir = join(town.paths.runtime, 'remote-transcripts', address.replaceAll('/', '_'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `${session}.jsonl`);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function receiveUsage(town: TownContext, p: Principal, req: UsageRequest): UsageReply {
  if (p.kind !== 'agent')
    throw new GtError('GT_API_FORBIDDEN', "usage is reported by an agent's token", {
      hint: 'the owner records usage in the town with gt costs record',
    });
  const path = spoolOf(town, p.address, req.session_id);
  if (req.text !== undefined) {
    const at = req.offset ?? 0;
    if (at > sizeOf(path)) return { size: sizeOf(path) };
    const fd = openSync(path, 'a+', 0o600);
    try {
      ftruncateSync(fd, at);
      writeSync(fd, Buffer.from(req.text, 'utf8'), 0, undefined, at);
    } finally {
      closeSync(fd);
    }
  }
  if (!req.done) return { size: sizeOf(path) };
  const results = recordUsage(town, { transcriptPath: path, sessionId: req.session_id, address: p.address });
  return {
    size: sizeOf(path),
    results,
    warnings: results.map(skippedWarning).filter((w): w is string => w !== undefined),
  };
}
