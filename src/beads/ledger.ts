// The JSONL ledger read back: one bead record a line (record.ts has the record's shape), bad lines reported with
// their number and skipped, records of other kinds kept as they are.
import { isUtf8 } from 'node:buffer';
import type { BeadDetails } from './model.ts';
import { beadFromRecord, isOtherRecord } from './record.ts';

export interface LedgerProblem {
  line: number;
  message: string;
}

export interface ParsedLedger {
  beads: BeadDetails[];
  problems: LedgerProblem[];
  /** Lines holding records of another `_type` (Beads' memories, …): kept as they are, in file order. */
  others: string[];
}

/**
 * Parse ledger text (or bytes: then a line that is not valid UTF-8 is reported with its number rather than read with
 * replacement characters). Bad lines are reported with their 1-based number and skipped, the rest is kept.
 */
export function parseLedger(input: string | Uint8Array): ParsedLedger {
  const beads: BeadDetails[] = [];
  const problems: LedgerProblem[] = [];
  const others: string[] = [];
  const seen = new Map<string, number>();
  const lines = typeof input === 'string' ? input.split('\n') : decodeLines(input, problems);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]?.trim();
    if (!raw) continue;
    const n = i + 1;
    if (/^(<{7}|={7}|>{7}|\|{7})/.test(raw)) {
      problems.push({ line: n, message: 'git conflict marker; resolve the merge (both sides are kept in the file)' });
      continue;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      problems.push({ line: n, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (isOtherRecord(obj)) {
      others.push(raw);
      continue;
    }
    const r = beadFromRecord(obj);
    if (typeof r === 'string') {
      problems.push({ line: n, message: r });
      continue;
    }
    const prev = seen.get(r.id);
    if (prev !== undefined) {
      problems.push({
        line: n,
        message: `duplicate id ${r.id} (also on line ${lineOf(lines, r.id, n)}); the later line wins`,
      });
      beads[prev] = r;
      continue;
    }
    seen.set(r.id, beads.length);
    beads.push(r);
  }
  return { beads, problems, others };
}

function lineOf(lines: readonly (string | undefined)[], id: string, before: number): number {
  const head = `{"id":${JSON.stringify(id)}`;
  for (let i = 0; i < before - 1; i++) if (lines[i]?.trim().startsWith(head)) return i + 1;
  return 0;
}

/** Lines of a byte buffer; a line that is not UTF-8 becomes undefined and a problem naming its line and byte. */
function decodeLines(buf: Uint8Array, problems: LedgerProblem[]): (string | undefined)[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (isUtf8(b)) return b.toString('utf8').split('\n');
  const out: (string | undefined)[] = [];
  let start = 0;
  while (start <= b.length) {
    let end = b.indexOf(0x0a, start);
    if (end < 0) end = b.length;
    const line = b.subarray(start, end);
    if (isUtf8(line)) out.push(line.toString('utf8'));
    else {
      out.push(undefined);
      problems.push({
        line: out.length,
        message: `not valid UTF-8 (first bad byte at column ${firstBadByte(line) + 1}); the line is left as it is`,
      });
    }
    start = end + 1;
  }
  return out;
}

function firstBadByte(line: Buffer): number {
  let lo = 0;
  while (lo < line.length && isUtf8(line.subarray(0, lo + 1))) lo++;
  // A multi-byte character cut short reads as invalid until its last byte: step back to where it starts.
  while (lo > 0 && (line[lo]! & 0xc0) === 0x80 && !isUtf8(line.subarray(0, lo))) lo--;
  return lo;
}
