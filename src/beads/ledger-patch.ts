// Replacing, inserting and removing lines of a sorted ledger held as bytes, without decoding or splitting it all.
import { cmp } from './ledger.ts';

const NL = 0x0a;
const ID_HEAD = Buffer.from('{"id":"');

/** The id a line starts with (`{"id":"…"`), or '' for a line that does not (it then sorts first). */
function idAt(buf: Buffer, start: number, end: number): string {
  if (end - start < ID_HEAD.length || buf.compare(ID_HEAD, 0, ID_HEAD.length, start, start + ID_HEAD.length) !== 0) return '';
  const close = buf.indexOf(0x22, start + ID_HEAD.length);
  return close < 0 || close > end ? '' : buf.toString('latin1', start + ID_HEAD.length, close);
}

interface Found {
  found: boolean;
  /** Start of the matching line, or where a new line goes. */
  start: number;
  /** Just past the matching line's newline (equal to start when not found). */
  next: number;
}

/** Binary search over byte offsets of `buf` (lines sorted by id) for the line of `id`, within [lo, buf.length). */
function findLine(buf: Buffer, id: string, from: number): Found {
  let lo = from;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = mid === 0 ? 0 : buf.lastIndexOf(NL, mid - 1) + 1;
    const s = Math.max(start, lo);
    let end = buf.indexOf(NL, s);
    if (end < 0) end = buf.length;
    const c = cmp(idAt(buf, s, end), id);
    if (c === 0) return { found: true, start: s, next: Math.min(end + 1, buf.length) };
    if (c < 0) lo = end + 1;
    else hi = s;
  }
  return { found: false, start: lo, next: lo };
}

/**
 * Apply `updates` (id → new line without newline, or undefined to remove) to a ledger whose lines are sorted by id.
 * Ids are applied in sorted order so each search starts where the previous one ended.
 */
export function patchLines(input: Buffer, updates: ReadonlyMap<string, string | undefined>): Buffer {
  return Buffer.concat(patchParts(input, updates));
}

/** The same patch as a list of byte ranges to write one after another (no copy of the unchanged parts). */
export function patchParts(input: Buffer, updates: ReadonlyMap<string, string | undefined>): Buffer[] {
  const buf = input.length > 0 && input[input.length - 1] !== NL ? Buffer.concat([input, Buffer.from('\n')]) : input;
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const id of [...updates.keys()].sort(cmp)) {
    const line = updates.get(id);
    const f = findLine(buf, id, cursor);
    parts.push(buf.subarray(cursor, f.start));
    if (line !== undefined) parts.push(Buffer.from(`${line}\n`));
    cursor = f.next;
  }
  parts.push(buf.subarray(cursor));
  return parts;
}
