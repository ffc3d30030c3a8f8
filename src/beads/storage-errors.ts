// Naming the cause when the store cannot grow a file: a full disk or a file-size limit, not a bare "disk I/O error".
import { readFileSync, statfsSync } from 'node:fs';
import { GtError } from '../kernel/index.ts';

const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
/** Free space below which a failed write is blamed on a full disk. */
const NEARLY_FULL = 1024 * 1024;

type Cause = 'space' | 'size';

/**
 * If `e` is a failure to write to the store's files because the disk is full or a file-size limit was reached,
 * a GtError that says so; else undefined. `outcome` says what that means for the user's command.
 */
export function storageFailure(e: unknown, dir: string, outcome: string): GtError | undefined {
  const cause = causeOf(e, dir);
  if (cause === 'space') {
    return new GtError('BD_NO_SPACE', `no space left on the device holding ${dir}: ${outcome}`, {
      hint: `free some space there (see \`df -h ${JSON.stringify(dir)}\`) and run the same command again`,
    });
  }
  if (cause === 'size') {
    const limit = fileSizeLimit();
    return new GtError(
      'BD_FILE_TOO_LARGE',
      `file too large: the file-size limit of this process (ulimit -f${limit === undefined ? '' : `, ${limit} bytes`}) stops the store in ${dir} from growing: ${outcome}`,
      {
        hint: 'raise the limit (`ulimit -f unlimited` in the shell that runs bd) and run the same command again',
      },
    );
  }
  return undefined;
}

function causeOf(e: unknown, dir: string): Cause | undefined {
  const err = e as { code?: unknown; errcode?: unknown };
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') return 'space';
  if (err?.code === 'EFBIG') return 'size';
  if (err?.code !== 'ERR_SQLITE_ERROR' || typeof err.errcode !== 'number') return undefined;
  // SQLite reports a short write as SQLITE_FULL and a refused one as an I/O error, whichever limit caused it.
  const primary = err.errcode & 0xff;
  if (primary !== SQLITE_FULL && primary !== SQLITE_IOERR) return undefined;
  if (freeBytes(dir) < NEARLY_FULL) return 'space';
  if (fileSizeLimit() !== undefined) return 'size';
  return primary === SQLITE_FULL ? 'space' : undefined;
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The soft file-size limit (RLIMIT_FSIZE) of this process in bytes, or undefined when unlimited or unknown. */
export function fileSizeLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max file size'));
    const soft = line?.slice('Max file size'.length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}
