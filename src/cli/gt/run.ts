// Runs gt straight from source (Node strips the types): used by tests so they never depend on a stale build.
import { main } from './main.ts';

await main();
