// How bd refers to itself in commands it registers elsewhere (the git merge driver).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute command that runs this bd's merge driver, quoted for a shell. */
export function mergeDriverCommand(): string {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'bd.js');
  return `${shq(process.execPath)} ${shq(bin)} merge-driver`;
}
