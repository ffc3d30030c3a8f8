// Build: bundle each CLI into one CommonJS file under dist/, so a command starts with one file read, not forty,
// and Node's built-in modules are required directly instead of through their ES module facades.
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Built-ins that are costly to load (child_process pulls in net and streams; crypto its whole tree) but that most
 * commands never call: each import gets a stand-in whose functions load the real module on first call.
 */
const LAZY = /^(node:)?(child_process|crypto)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: LAZY }, (a) =>
      a.namespace === 'lazy' ? { path: a.path, external: true } : { path: a.path, namespace: 'lazy' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => {
      const real = require(a.path);
      const fns = Object.keys(real).filter((k) => typeof real[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k));
      const lines = [
        `import { createRequire } from 'node:module';`,
        `let real$; const load$ = () => (real$ ??= createRequire(__filename)(${JSON.stringify(a.path)}));`,
        ...fns.map((k) => `export function ${k}(...a) { return load$().${k}(...a); }`),
        `export default new Proxy({}, { get: (_, k) => load$()[k] });`,
      ];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: root };
    });
  },
};

/**
 * zod's namespace carries every locale's messages (about 400 KB of the bundle, read and compiled by every gt call);
 * Gas Town shows only English ones (src/town/schema.ts sets `z.locales.en()`). Keep that one.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]/.test(a.importer)
        ? { path: join(dirname(a.importer), a.path), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(a.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * bin/launch.js may start a bundle as a vm script, which has no module loader for import(): our sources' import() of
 * what stays outside the bundle (built-ins, the Kubernetes client) becomes a call of the launcher's own import(),
 * exactly that import done in an ordinary module.
 */
const launcherImport = {
  name: 'launcher-import',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (a) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(a.path, 'utf8');
      const out = text.replace(
        /(?<!typeof )\bimport\((['"])(node:[\w/]+|@kubernetes\/client-node)\1\)/g,
        'globalThis.__gtImport($1$2$1)',
      );
      return out === text ? undefined : { contents: out, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: { bd: join(root, 'src/cli/bd/main.ts'), gt: join(root, 'src/cli/gt/main.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // Our modules use import.meta.dirname/filename (no URL to build at start-up: that cost about 2 ms of every call).
  define: { 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
  legalComments: 'none',
  // Every call reads and hashes the whole bundle before it runs a line of it: without the indentation and line breaks
  // bd's is a third smaller and starts about 1.3 ms sooner, gt's about 7 ms. Names stay, so stack traces still read.
  minifyWhitespace: true,
  plugins: [lazyBuiltins, zodEnglishOnly, launcherImport],
  // The Kubernetes client (tens of MB with its models) stays in node_modules: gt imports it on a cluster's first call.
  external: ['@kubernetes/client-node'],
  logLevel: 'warning',
});

// The dashboard's browser files are served as they are; the bundle finds them in dist/web.
const { cpSync, existsSync, rmSync } = await import('node:fs');
const web = join(root, 'src', 'dashboard', 'web');
rmSync(join(root, 'dist', 'web'), { recursive: true, force: true });
if (existsSync(web)) cpSync(web, join(root, 'dist', 'web'), { recursive: true });

// V8's code for what a bd read runs, saved for bin/launch.js (scripts/train-code.js).
await import('./train-code.js');
