// Process spawning: the one module allowed to start other programs.
export { runSync, runInteractive, type RunResult, type RunOptions } from './run.ts';
export { run, killTree, isProcessAlive, spawnDetached, type RunAsyncOptions, type DetachedChild } from './run-async.ts';
export { findOnPath } from './which.ts';
export { spawnStreaming, type StreamingChild } from './stream.ts';
