// Lint rules: the recommended sets of ESLint and typescript-eslint, without type information so lint stays fast,
// and the layer order of DESIGN.md §4 (docs/architecture.md "Layers") as `no-restricted-imports` per folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The folders of src/, lowest first: each may import only the folders before it (docs/architecture.md "Layers"). */
export const LAYERS = [
  'kernel',
  'proc',
  'git',
  'tmux',
  'beads',
  'client',
  'agents',
  'providers',
  'town',
  'forge',
  'costs',
  'work',
  'refinery',
  'daemon',
  'demo',
  'server',
  'dashboard',
  'cli',
];

/** What `bd` (src/cli/bd) and the code it shares with gt (src/cli/shared) may import: it runs in any git repository. */
const BD_ALLOWED = ['kernel', 'proc', 'git', 'beads', 'client'];

const MAX_DEPTH = 4; // folders below src/<layer>/ that the globs reach; a deeper file would escape the rule
const HOW = 'pass the function in from above, or move the shared piece down a layer (docs/architecture.md "Layers")';

/** The pattern refusing `../`×ups + `<target>/…`: from a file `ups` folders below src/, that names src/<target>. */
function refuse(ups, target, message) {
  return { regex: `^(\\./)?(\\.\\./){${ups}}${target}(/|$)`, message };
}

/** One block per depth, so each file gets exactly one `no-restricted-imports` (a later block would replace it). */
function blocks(folder, patternsAt) {
  const out = [];
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const ups = folder.split('/').length + depth;
    const patterns = patternsAt(ups, depth);
    if (patterns.length === 0) continue;
    const files = [`src/${folder}/${'*/'.repeat(depth)}*.{ts,js}`];
    // import() is not seen by no-restricted-imports: the same sources are refused there by selector.
    const dynamic = patterns.map((p) => ({
      selector: `ImportExpression[source.value=/${p.regex.replaceAll('/', '\\/')}/]`,
      message: p.message,
    }));
    out.push({
      files,
      rules: { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...dynamic] },
    });
  }
  return out;
}

const layerRules = LAYERS.filter((l) => l !== 'cli').flatMap((layer) => {
  const above = LAYERS.slice(LAYERS.indexOf(layer) + 1);
  return blocks(layer, (ups) =>
    above.map((up) => refuse(ups, up, `src/${layer} is below src/${up}, so it may not import it: ${HOW}.`)),
  );
});

const bdRules = ['cli/bd', 'cli/shared'].flatMap((folder) =>
  blocks(folder, (ups) => [
    ...LAYERS.filter((l) => !BD_ALLOWED.includes(l) && l !== 'cli').map((l) =>
      refuse(
        ups,
        l,
        `src/${folder} is part of bd, which imports only ${BD_ALLOWED.join(', ')} (DESIGN.md §4): bd runs in any git repository, without a town.`,
      ),
    ),
    ...['gt', ...(folder === 'cli/shared' ? ['bd'] : [])].map((cli) =>
      refuse(
        ups - 1,
        cli,
        `src/${folder} may not import src/cli/${cli}: code bd and gt share lives in src/cli/shared.`,
      ),
    ),
  ]),
);

// The dashboard's page runs in the browser: it imports only its own modules (no Node built-ins, packages or server code).
const webRules = blocks('dashboard/web', (_ups, depth) => [
  { regex: '^[^.]', message: 'src/dashboard/web is browser code: no Node built-ins or packages.' },
  {
    regex: `^(\\./)?(\\.\\./){${depth + 1}}`,
    message:
      'src/dashboard/web is browser code: it imports only files under src/dashboard/web (the server sends it what it needs).',
  },
]);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/cli/**/main.ts', 'src/cli/**/render*.ts', 'bench/**', 'test/**', 'testing/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The launchers: CommonJS (bin/package.json), so they load without the ES module loader.
    files: ['bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', Buffer: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard's page: plain browser ES modules (no Node), so browser globals instead of Node's.
    files: ['src/dashboard/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'EventSource',
          'Node',
          'CSS',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'structuredClone',
          'performance',
          'MutationObserver',
          'location',
          'history',
          'navigator',
          'URLSearchParams',
          'requestAnimationFrame',
        ]
          .map((g) => [g, 'readonly'])
          .concat([['process', 'off']]),
      ),
    },
  },
  ...layerRules,
  ...bdRules,
  ...webRules,
);
