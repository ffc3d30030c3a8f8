// Test runner settings: unit tests beside the code, integration suites under test/.
// Two groups: most files run two at a time (they mostly wait on git, tmux and child processes); the suites that
// load the machine on purpose or time real agent CLIs run afterwards, one at a time, so neither starves the other.
import { defineConfig } from 'vitest/config';

/** Suites that start hundreds of processes, drive a real agent CLI or sshd hosts, or measure under load. */
const ALONE = [
  'test/concurrency.test.ts',
  'test/crash.test.ts',
  'test/full-disk.test.ts',
  'test/work-loop.test.ts',
  'test/dashboard-load.test.ts',
  'test/gt-demo.test.ts',
  'test/e2e-claude.test.ts',
  'test/k8s-loop.test.ts',
  'test/k8s-faults.test.ts',
  'test/hosts-runtime.test.ts',
  'test/e2e-codex.test.ts',
  'test/e2e-gemini.test.ts',
  'test/e2e-opencode.test.ts',
  'test/claude-*.test.ts',
  'test/costs-claude.test.ts',
  'test/refinery-pr-guard.test.ts',
  'test/hosts.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['./test/support/isolate-env.ts'],
    globalSetup: ['./test/support/build.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ALONE,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
