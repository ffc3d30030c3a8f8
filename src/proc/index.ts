// Process spawning: the one module allowed to start other programs.
export { runSync, type RunResult, type RunOptions } from './run.ts';
export { run, killTree, isProcessAlive, type RunAsyncOptions } from './run-async.ts';
