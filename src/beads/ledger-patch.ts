// Replacing, inserting and removing lines of a sorted ledger without reading or decoding all of it: a binary search
// over byte offsets finds each line, and the new file is the old byte ranges with the new lines between them.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { cmp } from './record.ts';

const NL = 0x0a;
const ID_HEAD = Buffer.from('{"id":"');
/** Bytes read per probe while searching, and per chunk while copying (small: fresh memory is slow to touch). */
const WINDOW = 4096;
const CHUNK = 256 * 1024;

/** Random access to a ledger's bytes. A final newline is supplied when the file lacks one. */
interface Source {
  readonly size: number;
  /** Bytes [pos, pos + len) clipped to the size; valid until the next call. */
  read(pos: number, len: number): Buffer;
}

function bufferSource(input: Buffer): Source {
  const buf = input.length > 0 && input[input.length - 1] !== NL ? Buffer.concat([input, Buffer.from('\n')]) : input;
  return { size: buf.length, read: (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)) };
}

/** A source over an open file descriptor, reading through one reused buffer. */
function fdSource(fd: number): Source {
  const real = fstatSync(fd).size;
  let scratch = Buffer.allocUnsafeSlow(WINDOW);
  const readAt = (pos: number, len: number): Buffer => {
    if (scratch.length < len) scratch = Buffer.allocUnsafeSlow(Math.max(len, scratch.length * 2));
    let got = 0;
    while (got < len) {
      const n = readSync(fd, scratch, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return scratch.subarray(0, got);
  };
  const missingNl = real > 0 && readAt(real - 1, 1)[0] !== NL;
  const size = real + (missingNl ? 1 : 0);
  return {
    size,
    read(pos, len) {
      const end = Math.min(size, pos + len);
      if (end <= real) return readAt(pos, end - pos);
      const head = readAt(pos, Math.max(0, real - pos));
      const out = Buffer.allocUnsafe(head.length + 1);
      head.copy(out);
      out[head.length] = NL;
      return out;
    },
  };
}

/** Start of the line holding byte `p`, not before `lo` (a line start). */
function lineStart(src: Source, p: number, lo: number): number {
  let end = p;
  while (end > lo) {
    const from = Math.max(lo, end - WINDOW);
    const i = src.read(from, end - from).lastIndexOf(NL);
    if (i >= 0) return from + i + 1;
    end = from;
  }
  return lo;
}

/** Offset of the newline ending the line that starts at `s`. */
function lineEnd(src: Source, s: number): number {
  for (let from = s; from < src.size; from += WINDOW) {
    const i = src.read(from, WINDOW).indexOf(NL);
    if (i >= 0) return from + i;
  }
  return src.size;
}

/** A ledger the search cannot trust: its last line is not a bead's. The caller rewrites the whole ledger. */
export class UnplacedLine extends Error {}

/** The id a line starts with (`{"id":"…"`), or '' for a line that does not (records of another type: they come first). */
function idAt(src: Source, start: number, end: number): string {
  const head = src.read(start, Math.min(end - start, 512));
  if (head.length < ID_HEAD.length || head.compare(ID_HEAD, 0, ID_HEAD.length, 0, ID_HEAD.length) !== 0) return '';
  const close = head.indexOf(0x22, ID_HEAD.length);
  return close < 0 ? '' : head.toString('latin1', ID_HEAD.length, close);
}

/**
 * Lines without an id sort first; if even the last line has none, the file is not in the shape the search assumes
 * (e.g. a record whose id is not its first key), and patching it could duplicate a bead.
 */
function checkShape(src: Source): void {
  if (src.size === 0) return;
  const last = lineStart(src, src.size - 1, 0);
  if (idAt(src, last, src.size - 1) === '') throw new UnplacedLine('the last ledger line does not start with {"id":"');
}

interface Found {
  /** Start of the matching line, or where a new line goes. */
  start: number;
  /** Just past the matching line's newline (equal to start when not found). */
  next: number;
}

/** Binary search over byte offsets (lines sorted by id) for the line of `id`, within [from, size). */
function findLine(src: Source, id: string, from: number): Found {
  let lo = from;
  let hi = src.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = lineStart(src, mid, lo);
    const end = lineEnd(src, s);
    const c = cmp(idAt(src, s, end), id);
    if (c === 0) return { start: s, next: Math.min(end + 1, src.size) };
    if (c < 0) lo = end + 1;
    else hi = s;
  }
  return { start: lo, next: lo };
}

/** The new ledger as pieces: a byte range of the old one, or a new line (with its newline). */
export type Piece = { from: number; to: number } | Buffer;

/** Apply `updates` (id → new line without newline, or undefined to remove), ids in sorted order, each search
 * starting where the previous one ended. */
function plan(src: Source, updates: ReadonlyMap<string, string | undefined>): Piece[] {
  checkShape(src);
  const pieces: Piece[] = [];
  let cursor = 0;
  for (const id of [...updates.keys()].sort(cmp)) {
    const line = updates.get(id);
    const f = findLine(src, id, cursor);
    if (f.start > cursor) pieces.push({ from: cursor, to: f.start });
    if (line !== undefined) pieces.push(Buffer.from(`${line}\n`));
    cursor = f.next;
  }
  if (src.size > cursor) pieces.push({ from: cursor, to: src.size });
  return pieces;
}

/** Apply `updates` to a ledger held in memory (lines sorted by id). */
export function patchLines(input: Buffer, updates: ReadonlyMap<string, string | undefined>): Buffer {
  const src = bufferSource(input);
  return Buffer.concat(plan(src, updates).map((p) => (Buffer.isBuffer(p) ? p : src.read(p.from, p.to - p.from))));
}

/**
 * Apply `updates` to the ledger file `from`, writing the result to the open descriptor `out`. Only the probes of the
 * search and one reused chunk are ever in memory.
 */
export function patchFileInto(from: string, out: number, updates: ReadonlyMap<string, string | undefined>): void {
  const fd = openSync(from, 'r');
  try {
    const src = fdSource(fd);
    const pieces = plan(src, updates);
    for (const p of pieces) {
      if (Buffer.isBuffer(p)) {
        writeFully(out, p);
        continue;
      }
      for (let pos = p.from; pos < p.to; pos += CHUNK) writeFully(out, src.read(pos, Math.min(CHUNK, p.to - pos)));
    }
  } finally {
    closeSync(fd);
  }
}

function writeFully(fd: number, b: Buffer): void {
  for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
}
