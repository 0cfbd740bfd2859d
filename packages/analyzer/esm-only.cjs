// @migcheck/analyzer is an ES module: require() cannot load it, so say so in one line instead of Node's
// ERR_REQUIRE_ESM stack trace.
throw new Error("@migcheck/analyzer is ESM-only: use `import { lint } from '@migcheck/analyzer'` (or `await import('@migcheck/analyzer')` from CommonJS)");
