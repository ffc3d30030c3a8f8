// What every CLI shares: I/O as a port, output as data plus its human rendering, and errors to exit codes.
import { readFileSync, writeSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { GtError, isGtError, messageOf, safeText } from '../../kernel/index.ts';

export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Standard input, read whole (for `-` arguments). */
  stdin(): string;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdin: () => readFileSync(0, 'utf8'),
  };
}

/**
 * I/O straight to file descriptors 1 and 2, for short-lived commands such as `bd`: Node builds `process.stdout` (a
 * tty, pipe or file stream and the modules behind it) on first use, about a tenth of a bd call's own CPU time. A
 * reader that went away (`bd list | head`) is not an error: the rest of the output is dropped and the command
 * finishes, its store closed as usual.
 */
export function fdIo(): CliIo {
  const closed = new Set<number>();
  const write = (fd: number, text: string): void => {
    if (closed.has(fd)) return;
    const buf = Buffer.from(text);
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(fd, buf, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // The descriptor is non-blocking (shared with a parent that set it so): wait for the reader.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
          continue;
        }
        if (code === 'EPIPE') {
          closed.add(fd);
          return;
        }
        throw e;
      }
    }
  };
  return { ...processIo(), out: (t) => write(1, t), err: (t) => write(2, t) };
}

/** A command's result: the data `--json` prints and the text a person reads. */
export interface Output {
  data: unknown;
  /** The text, or how to make it when it is printed (a long list costs its rendering even under --json). */
  text: string | (() => string);
}

/**
 * Print a result: `--json` exactly as the data is; text through `safeText`, since it carries titles, subjects and
 * bodies from the store that must not drive the terminal (renderers add no escape sequences of their own).
 */
export function emit(io: CliIo, json: boolean, o: Output): void {
  if (json) {
    io.out(`${JSON.stringify(o.data, null, 2)}\n`);
    return;
  }
  const text = typeof o.text === 'function' ? o.text() : o.text;
  if (text) io.out(safeText(text.endsWith('\n') ? text : `${text}\n`));
}

/** Exit code carried by an outcome that is not an exception (e.g. a lost claim). */
export class ExitSignal extends Error {
  readonly code: number;

  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** Parse and run; returns the exit code: 0 ok, 1 error, 2 usage. Never calls process.exit. */
export async function runProgram(
  program: Command,
  argv: readonly string[],
  io: CliIo,
  json: () => boolean,
): Promise<number> {
  // Subcommands copy these settings only when they are created, so set them on every command of the tree.
  const tree = (c: Command): Command[] => [c, ...c.commands.flatMap(tree)];
  for (const c of tree(program)) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      return reportError(
        io,
        json(),
        new GtError('USAGE', e.message.replace(/^error: /, ''), { kind: 'usage', hint: usageHint(e) }),
      );
    }
    if (isGtError(e)) return reportError(io, json(), e);
    return reportError(io, json(), new GtError('INTERNAL', messageOf(e)));
  }
}

function usageHint(e: CommanderError): string {
  if (e.code === 'commander.unknownOption') {
    return 'see --help; a value that starts with "-" (such as a title) goes after "--", e.g. bd create -- "-x is broken"';
  }
  return 'see --help for how to use this command';
}

export function reportError(io: CliIo, json: boolean, e: GtError): number {
  if (json)
    io.out(
      `${JSON.stringify({ error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } }, null, 2)}\n`,
    );
  io.err(safeText(`Error: ${e.message}\n${e.hint ? `Hint: ${e.hint}\n` : ''}`));
  return e.kind === 'usage' ? 2 : 1;
}

/** Split repeated or comma-separated option values into a flat list. */
export function listOpt(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
