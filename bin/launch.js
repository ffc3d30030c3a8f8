// Starts a bundled CLI (dist/<name>.cjs) for bin/bd.js and bin/gt.js.
//
// Node's compile cache keeps the code V8 compiled before the bundle's first line runs; every function a call then
// runs (parsing its options, opening the store, the query, the output) is compiled again by every call: about a
// sixth of a bd read. The build therefore runs typical commands in one process (bd's reads against a scratch store,
// gt's help) and saves V8's code for every function they ran (scripts/train-code.js, into
// dist/<name>.<node version>-<arch>.code). A call starts the bundle with that code; when there is none for this
// Node.js, when it was made from another bundle (the file starts with the bundle's modification time and size), or
// when V8 refuses it, the call compiles as before, with Node's compile cache. V8 checks its version, its flags and
// the source's length, not the code itself: the file is only ever written whole (through a rename), by the build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The function a bundle is compiled as: the same text here and when the build saves its code. */
function wrap(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

/** What ties saved code to the bundle it was made from: the bundle's modification time and size. */
function stamp(stat) {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(stat.mtimeMs, 0);
  b.writeDoubleLE(stat.size, 8);
  return b;
}

function codePath(name) {
  return path.join(__dirname, '..', 'dist', `${name}.${process.version}-${process.arch}.code`);
}

/** The bundle compiled from `source` (with `cachedData` when given), run, and its exports. */
function run(file, source, cachedData) {
  const vm = require('node:vm');
  const script = new vm.Script(wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require('node:module').createRequire(file), mod, file, path.dirname(file));
  return { exports: mod.exports, script };
}

/** What the bundles' import() of a module outside them calls (scripts/build.js): an import done here. */
globalThis.__gtImport ??= (id) => import(id);

function start(name) {
  const file = path.join(__dirname, '..', 'dist', `${name}.cjs`);
  let cachedData;
  try {
    const code = fs.readFileSync(codePath(name));
    if (code.subarray(0, 16).equals(stamp(fs.statSync(file)))) cachedData = code.subarray(16);
  } catch {
    // no saved code for this Node.js: compile as usual
  }
  if (!cachedData) {
    require('node:module').enableCompileCache?.();
    return require(file);
  }
  return run(file, fs.readFileSync(file, 'utf8'), cachedData).exports;
}

module.exports = { start, run, codePath, stamp };
