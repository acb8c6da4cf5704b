import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

// `node --import <this file>`: from here on, `electron` is the stand-in, for ES modules (loader hooks) and
// for CommonJS `require('electron')` (where Node can require an ES module: 22.12 and later).
const electronUrl = new URL('./electron.mjs', import.meta.url).href;
register('./loader-hooks.mjs', import.meta.url, { data: { electronUrl } });

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'electron' || request === 'electron/main' || request === 'electron/common') return fileURLToPath(electronUrl);
  return resolveFilename.call(this, request, ...rest);
};
