#!/usr/bin/env node
// gt launcher: runs the bundled CLI (npm install builds dist/ through the prepare script; bin/launch.js starts
// it). CommonJS (bin/package.json): loading it through the ES module loader cost about 8 ms of every call (its source
// decoder starts ICU's TextDecoder).
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `gt: needs Node.js 22.13 or newer (node:sqlite); this is ${process.version}. Run it through npx gt, or put a newer node first on PATH.\n`,
  );
  process.exit(1);
}
require('./launch.js').start('gt').main();
