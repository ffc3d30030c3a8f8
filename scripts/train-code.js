// Saves V8's code for what a typical bd call runs (bin/launch.js explains why): loads dist/bd.cjs as the launcher
// does, runs common commands in one process against a scratch store, and writes dist/bd.<node version>.code.
// Run by scripts/build.js with the Node.js that built the bundle; the code only serves that Node.js.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { run, codePath, stamp } = require('../bin/launch.js');

/** What bd is called for most: agents and the dashboard reading work, as text and as JSON. */
const READS = [
  ['list'],
  ['list', '--status', 'open', '--limit', '50', '--json'],
  ['ready'],
  ['ready', '--json'],
  ['show', '@1'],
  ['show', '@1', '--json'],
];

async function trainBd() {
  const file = join(root, 'dist', 'bd.cjs');
  const dir = mkdtempSync(join(tmpdir(), 'bd-train-'));
  const env = { ...process.env, BD_ACTOR: 'build' };
  for (const k of ['BEADS_DIR', 'GT_ROOT', 'GT_RIG', 'GT_TOWN_URL']) delete env[k];
  try {
    // The store is made by other processes: the saved code is for reading (a write compiles the rest as before).
    const bd = (...argv) =>
      execFileSync(process.execPath, [join(root, 'bin', 'bd.js'), ...argv], { cwd: dir, env, encoding: 'utf8' });
    bd('init');
    const first = JSON.parse(bd('create', 'First', '-p', '1', '--labels', 'a', '--json')).id;
    const second = JSON.parse(bd('create', 'Second', '-d', 'more', '--json')).id;
    bd('dep', 'add', second, first);
    bd('comments', 'add', first, 'a note');
    const before = stamp(statSync(file));
    const source = readFileSync(file, 'utf8');
    // A script compiled by vm has no module loader for import(): the launcher could not run such a bundle this way.
    if (/[^\w.$]import\(/.test(source)) throw new Error(`${file} calls import(): bin/launch.js cannot start it`);
    const { exports: loaded, script } = run(file, source);
    for (const argv of READS) {
      const io = { cwd: dir, env, out: () => {}, err: () => {}, stdin: () => '' };
      const code = await loaded.runBd(
        argv.map((a) => (a === '@1' ? first : a)),
        io,
      );
      if (code !== 0) throw new Error(`bd ${argv.join(' ')} exited ${code}`);
    }
    for (const f of readdirSync(join(root, 'dist'))) if (/^bd\..*\.code$/.test(f)) rmSync(join(root, 'dist', f));
    if (!stamp(statSync(file)).equals(before)) throw new Error(`${file} changed while its code was made`);
    // Through a rename: a build killed mid-write must not leave half a file for the launcher to hand to V8.
    const tmp = `${codePath('bd')}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([before, script.createCachedData()]));
    renameSync(tmp, codePath('bd'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 13)) {
  try {
    await trainBd();
  } catch (e) {
    // bd works without it, only slower to start: the build goes on
    process.stderr.write(`build: no saved code for bd (${e instanceof Error ? e.message : String(e)})\n`);
  }
}
