#!/usr/bin/env node
// bd launcher: runs the compiled CLI (npm install builds dist/ through the prepare script).
import { enableCompileCache } from 'node:module';
enableCompileCache?.();
const { main } = await import('../dist/cli/bd/main.js');
await main();
