// The installed entry points (bin/bd.js, bin/gt.js over the bundle npm install builds) start and answer.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bd, cleanEnv, tempStore } from './support/bd.ts';

const root = resolve(import.meta.dirname, '..');
const run = (bin: string, args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [resolve(root, 'bin', bin), ...args], {
    cwd: root,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('installed commands', () => {
  it('bd --help lists the commands and bd --version matches package.json', () => {
    const help = run('bd.js', ['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['init', 'create', 'ready', 'update', 'close', 'dep', 'doctor', 'prime'])
      expect(help.out).toContain(cmd);
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
    expect(run('bd.js', ['--version']).out.trim()).toBe(pkg.version);
  });

  it('gt starts, and gt bd reaches beads', () => {
    expect(run('gt.js', ['--help']).code).toBe(0);
    const r = run('gt.js', ['bd', 'prime']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('bd ready');
  });

  it('an unknown command is a usage error (exit 2) with a hint', () => {
    const r = run('bd.js', ['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
  });

  it('bd prime stays under 2 KB so agent hook previews never cut it', () => {
    expect(Buffer.byteLength(run('bd.js', ['prime']).out)).toBeLessThan(2048);
  });
});

describe('merge driver registration by the installed bd', () => {
  it("points git at this installation's bin/bd.js", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bd smoke '));
    try {
      spawnSync('git', ['init', '-q', dir]);
      const r = spawnSync(process.execPath, [resolve(root, 'bin', 'bd.js'), 'init', '--prefix', 'sm'], {
        cwd: dir,
        env: cleanEnv(),
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      const driver = spawnSync('git', ['config', 'merge.beads.driver'], { cwd: dir, encoding: 'utf8' }).stdout;
      expect(driver).toContain(`'${resolve(root, 'bin', 'bd.js')}' merge-driver %O %A %B`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command lookup', () => {
  it('runs a command named after a global option value, and shows full help for --help', () => {
    const help = run('bd.js', ['create', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--from-file');
    const r = run('bd.js', ['--actor', 'create', 'prime']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('bd ready');
  });
});

describe('the code the build saves for bd and gt (bin/launch.js)', () => {
  it.each(['bd', 'gt'])('exists for %s on this Node.js, is stamped with its bundle, and V8 takes it', (name) => {
    const require = createRequire(import.meta.url);
    const launch = require('../bin/launch.js') as {
      codePath(name: string): string;
      stamp(stat: Stats): Buffer;
      run(file: string, source: string, code?: Buffer): { script: { cachedDataRejected?: boolean } };
    };
    const bundle = resolve(root, 'dist', `${name}.cjs`);
    const code = readFileSync(launch.codePath(name));
    expect(code.subarray(0, 16).equals(launch.stamp(statSync(bundle)))).toBe(true);
    const { script } = launch.run(bundle, readFileSync(bundle, 'utf8'), code.subarray(16));
    expect(script.cachedDataRejected).toBe(false);
  });

  it('bd answers the same with it, without it, when the bundle changed since, and when it is cut short', () => {
    const t = tempStore('lc');
    const copy = mkdtempSync(join(tmpdir(), 'bd launch '));
    try {
      const id = (JSON.parse(bd(t.dir, ['create', 'Saved code', '-l', 'x', '--json']).stdout) as { id: string }).id;
      bd(t.dir, ['comments', 'add', id, 'a note']);
      cpSync(resolve(root, 'bin'), join(copy, 'bin'), { recursive: true, preserveTimestamps: true });
      cpSync(resolve(root, 'dist'), join(copy, 'dist'), { recursive: true, preserveTimestamps: true });
      const code = join(copy, 'dist', basename(createRequire(import.meta.url)('../bin/launch.js').codePath('bd')));
      const list = (): string => {
        const r = spawnSync(process.execPath, [join(copy, 'bin', 'bd.js'), 'list', '--json'], {
          cwd: t.dir,
          env: cleanEnv(),
          encoding: 'utf8',
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return r.stdout;
      };
      const want = bd(t.dir, ['list', '--json']).stdout;
      expect(want).toContain('"comment_count": 1');
      expect(list()).toBe(want);
      writeFileSync(code, readFileSync(code).subarray(0, 4096));
      expect(list()).toBe(want);
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(copy, 'dist', 'bd.cjs'), later, later);
      expect(list()).toBe(want);
      rmSync(code);
      expect(list()).toBe(want);
    } finally {
      t.cleanup();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
