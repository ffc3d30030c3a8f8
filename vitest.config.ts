// Test runner settings: unit tests beside the code, integration suites under test/.
// Three groups, one after the other: most files run two at a time (they mostly wait on git, tmux and child
// processes); then the suites that drive real agent CLIs, sshd hosts or a cluster, two at a time (each waits on
// its agents and hosts far more than it computes); then the suites that load the machine on purpose or measure
// under load, one at a time, so nothing else starves them or is starved by them.
import { defineConfig } from 'vitest/config';

/** Suites that start hundreds of processes, kill them in storms, or measure under load. */
const ALONE = [
  'test/concurrency.test.ts',
  'test/crash.test.ts',
  'test/work-loop.test.ts',
  'test/dashboard-load.test.ts',
];

/** Suites that drive a real agent CLI, sshd hosts, a cluster or a full disk: long, but mostly waiting. */
const PAIRS = [
  'test/hosts.test.ts',
  'test/hosts-runtime.test.ts',
  'test/k8s-loop.test.ts',
  'test/k8s-faults.test.ts',
  'test/e2e-claude.test.ts',
  'test/e2e-codex.test.ts',
  'test/e2e-gemini.test.ts',
  'test/e2e-opencode.test.ts',
  'test/claude-*.test.ts',
  'test/costs-claude.test.ts',
  'test/gt-demo.test.ts',
  'test/full-disk.test.ts',
  'test/refinery-pr-guard.test.ts',
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
          exclude: [...PAIRS, ...ALONE],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'pairs', include: PAIRS, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
