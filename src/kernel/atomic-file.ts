// Atomic file replacement: readers see the old content or the new, never a half-written file.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * Write `data` to `path` through a temporary file in the same directory and a rename.
 * `durable` also fsyncs the file first, for content that cannot be rebuilt from elsewhere.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  opts: { durable?: boolean; mode?: number } = {},
): void {
  // A short write (the disk filled up, a file-size limit) is resumed, so it then fails rather than truncating.
  const chunks = Array.isArray(data)
    ? (data as readonly Uint8Array[])
    : [typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array)];
  writeFileAtomicWith(path, (fd) => writeAll(fd, chunks), opts);
}

/**
 * The same, with the content written by `fill` to the temporary file's descriptor. A failure at any step (a full
 * disk, a file-size limit) removes the temporary file and leaves `path` as it was.
 */
export function writeFileAtomicWith(
  path: string,
  fill: (fd: number) => void,
  opts: { durable?: boolean; mode?: number } = {},
): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const fd = openSync(tmp, 'w', opts.mode ?? 0o644);
  try {
    fill(fd);
    if (opts.durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Write every chunk in order with vectored writes, resuming after short writes. */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let n = writevSync(fd, pending.slice(0, 1024) as NodeJS.ArrayBufferView[]);
    const rest: Uint8Array[] = [];
    for (const c of pending) {
      if (n >= c.length) n -= c.length;
      else {
        rest.push(n > 0 ? c.subarray(n) : c);
        n = 0;
      }
    }
    pending = rest;
  }
}
