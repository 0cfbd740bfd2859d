/** The commented starter file `migcheck init` writes (migcheck.config.jsonc). Every line parses as written. */
export function starterConfig(): string {
  return `// migcheck configuration: found in the working directory or the nearest folder above it.
// Command-line flags win over this file. \`migcheck explain\` lists the rules.
{
  // Exit 1 when a change not acknowledged is at least this: "risky", "irreversible" or "none".
  "failOn": "irreversible",

  // plan: answer the seed's "Acceptable risk?" with yes (risky steps, backups first, are part of the plan).
  "acceptRisk": false,

  // Migrations not analysed (paths or globs, relative to this file); they still count as history.
  "exclude": [],

  // Output format: text, json, sql, sarif, github, markdown.
  "format": "text",

  // A PostgreSQL server for the shadow database (default: an embedded one migcheck starts).
  // "shadowUrl": "postgres://localhost:5432/postgres",

  // plan --database-url: statement and lock timeouts of each data check, in milliseconds.
  "probeTimeout": 100,
  "lockTimeout": 50,

  // The knexfile of knex migrations (default: a knexfile.* next to or above their folder).
  // "knexfile": "knexfile.js",

  // Per rule: "error" (default) fails the run at failOn; "warn" fails it at most as a risky change would;
  // "off" never fails it. Verdicts are reported unchanged either way.
  "rules": {
    // "add-enum-value": "warn",
  },
}
`;
}
