#!/usr/bin/env node
// gt launcher: runs the bundled CLI (npm install builds dist/ through the prepare script).
import { createRequire, enableCompileCache } from 'node:module';
enableCompileCache?.();
await createRequire(import.meta.url)('../dist/gt.cjs').main();
