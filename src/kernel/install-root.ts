// Where this Gas Town installation lives (the package root holding bin/gt.js), from a source file or the bundle.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GtError } from './errors.ts';

let cached: string | undefined;

/** The directory holding `package.json` and `bin/gt.js` above the running module. */
export function installRoot(): string {
  if (cached) return cached;
  for (let d = import.meta.dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'bin', 'gt.js')) && existsSync(join(d, 'package.json'))) return (cached = d);
    if (dirname(d) === d)
      throw new GtError('GT_INSTALL_BROKEN', 'bin/gt.js not found above the running gt', {
        hint: 'reinstall Gas Town (npm install)',
      });
  }
}
