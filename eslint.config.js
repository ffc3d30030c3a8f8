// Lint rules: the recommended sets of ESLint and typescript-eslint, without type information so lint stays fast.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard's page: plain browser ES modules (no Node), so browser globals instead of Node's.
    files: ['src/dashboard/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries([
        'window', 'document', 'fetch', 'EventSource', 'Node', 'CSS', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
        'structuredClone', 'performance', 'MutationObserver', 'location', 'history', 'navigator', 'URLSearchParams', 'requestAnimationFrame',
      ].map((g) => [g, 'readonly']).concat([['process', 'off']])),
    },
  },
);
