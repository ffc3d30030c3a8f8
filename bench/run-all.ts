// Every benchmark in turn (`npm run bench`): the bd figures, then the town figures. Prints; asserts nothing.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

for (const script of ['bd-bench.ts', 'town-bench.ts', 'work-bench.ts']) {
  const r = spawnSync(process.execPath, [resolve(import.meta.dirname, script)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
