// How bd refers to itself in commands it registers elsewhere (the git merge driver).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The installed `bin/bd.js`: found by walking up from this module, which is a source file or the bundle in dist/. */
export function bdBinPath(): string {
  for (let d = import.meta.dirname; ; d = dirname(d)) {
    const candidate = join(d, 'bin', 'bd.js');
    if (existsSync(candidate) && existsSync(join(d, 'package.json'))) return candidate;
    if (dirname(d) === d) throw new Error('bin/bd.js not found above the running bd');
  }
}

/** Absolute command that runs this bd's merge driver, quoted for a shell. */
export function mergeDriverCommand(): string {
  return `${shq(process.execPath)} ${shq(bdBinPath())} merge-driver`;
}
