/**
 * Test support: lets a child `node` process import this package's TypeScript sources directly
 * (`node --import ./ts-loader.mjs child.mjs`), for tests of what happens when a process ends (signals, exit).
 * Transpiles each .ts file on load with TypeScript's transpileModule (no type check), and maps the `.js`
 * specifiers of NodeNext imports to the `.ts` files beside them.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
