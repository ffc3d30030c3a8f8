// Saves V8's code for what typical bd and gt calls run (bin/launch.js explains why): loads each bundle as the launcher
// does, runs common commands with it in this process (bd's reads against a scratch store; gt's help), and writes
// dist/<name>.<node version>-<arch>.code. Run by scripts/build.js with the Node.js that built the bundles; the code
// only serves that Node.js.
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

/**
 * Load dist/<name>.cjs as the launcher does, let `exercise` run commands with it in this process, and save V8's code
 * for everything that ran, headed by the bundle's stamp.
 */
async function train(name, exercise) {
  const file = join(root, 'dist', `${name}.cjs`);
  const before = stamp(statSync(file));
  const source = readFileSync(file, 'utf8');
  // A script compiled by vm has no module loader for import(): the launcher could not run such a bundle this way.
  if (/[^\w.$]import\(/.test(source)) throw new Error(`${file} calls import(): bin/launch.js cannot start it`);
  const { exports: loaded, script } = run(file, source);
  await exercise(loaded);
  const stale = new RegExp(`^${name}\\..*\\.code$`);
  for (const f of readdirSync(join(root, 'dist'))) if (stale.test(f)) rmSync(join(root, 'dist', f));
  if (!stamp(statSync(file)).equals(before)) throw new Error(`${file} changed while its code was made`);
  // Through a rename: a build killed mid-write must not leave half a file for the launcher to hand to V8.
  const tmp = `${codePath(name)}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([before, script.createCachedData()]));
  renameSync(tmp, codePath(name));
}

/** A scratch directory and an environment without the caller's town or store. */
function scratch(prefix) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(GT_|BEADS_DIR$)/.test(k)) delete env[k];
  Object.assign(env, { BD_ACTOR: 'build', GT_DAEMON: 'off' });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const io = { cwd: dir, env, out: () => {}, err: () => {}, stdin: () => '' };
  return { dir, env, io };
}

async function trainBd() {
  const { dir, env, io } = scratch('bd-train-');
  try {
    // The store is made by other processes: the saved code is for reading (a write compiles the rest as before).
    const bd = (...argv) =>
      execFileSync(process.execPath, [join(root, 'bin', 'bd.js'), ...argv], { cwd: dir, env, encoding: 'utf8' });
    bd('init');
    const first = JSON.parse(bd('create', 'First', '-p', '1', '--labels', 'a', '--json')).id;
    const second = JSON.parse(bd('create', 'Second', '-d', 'more', '--json')).id;
    bd('dep', 'add', second, first);
    bd('comments', 'add', first, 'a note');
    await train('bd', async (loaded) => {
      for (const argv of READS) {
        const code = await loaded.runBd(
          argv.map((a) => (a === '@1' ? first : a)),
          io,
        );
        if (code !== 0) throw new Error(`bd ${argv.join(' ')} exited ${code}`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** gt: what every call runs before its command (the bundle's set-up, the schemas, the command tree). */
async function trainGt() {
  const { dir, io } = scratch('gt-train-');
  try {
    await train('gt', async (loaded) => {
      for (const argv of [['--help'], ['--version']]) {
        const code = await loaded.runGt(argv, io);
        if (code !== 0) throw new Error(`gt ${argv.join(' ')} exited ${code}`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 13)) {
  for (const [name, fn] of [
    ['bd', trainBd],
    ['gt', trainGt],
  ]) {
    try {
      await fn();
    } catch (e) {
      // the command works without it, only slower to start: the build goes on
      process.stderr.write(`build: no saved code for ${name} (${e instanceof Error ? e.message : String(e)})\n`);
    }
  }
}
