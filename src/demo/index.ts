// gt demo: a whole town run end to end on a sample project with sim agents (above the daemon: it starts one).
export { runDemo, type DemoOptions, type DemoReport } from './run.ts';
