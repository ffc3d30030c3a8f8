#!/usr/bin/env node
// bd launcher: runs the bundled CLI (npm install builds dist/ through the prepare script).
import { createRequire, enableCompileCache } from 'node:module';
enableCompileCache?.();
await createRequire(import.meta.url)('../dist/bd.cjs').main();
