/**
 * Random small migrations over a seeded schema, from a seeded PRNG and a grammar of statements: the generator
 * test (generator.test.ts) applies each on a real PostgreSQL and, wherever migcheck says "safe", runs migcheck's
 * rollback and compares schema and data. The grammar knows the seeded schema's names, so that most migrations
 * run; the ones that do not are counted and skipped.
 */

/** The schema and data every generated migration starts from. `mc_gen_app` is a role the test creates. */
export const GENERATOR_SCHEMA = `
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, name text, score int DEFAULT 0, mood mood DEFAULT 'ok',
  updated_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00');
INSERT INTO users SELECT g, 'u' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'name ' || g END, g * 10, 'ok', '2020-01-01 00:00:00+00' FROM generate_series(1, 8) g;
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id) ON DELETE CASCADE, total numeric(10,2), note varchar(40), placed date DEFAULT '2021-01-01');
INSERT INTO orders SELECT g, 1 + g % 8, g * 1.25, CASE WHEN g % 2 = 0 THEN 'note ' || g END, '2021-01-01'::date + g FROM generate_series(1, 12) g;
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE TABLE audit (at text, what text);
CREATE TABLE app.settings (key text PRIMARY KEY, value text);
INSERT INTO app.settings VALUES ('theme', 'dark'), ('lang', 'en');
CREATE SEQUENCE ticket_seq;
SELECT nextval('ticket_seq');
CREATE VIEW user_emails AS SELECT id, email FROM users;
CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES ('t', TG_OP || ' ' || TG_TABLE_NAME); RETURN NULL; END $$;
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2030-01-01 00:00:00+00'; RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE OF email ON users FOR EACH ROW EXECUTE FUNCTION touch();
GRANT SELECT ON users TO mc_gen_app;
GRANT SELECT, UPDATE (note) ON orders TO mc_gen_app;
ALTER TABLE app.settings ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE users IS 'people';
CREATE DOMAIN short_text AS text;
CREATE RULE audit_keep AS ON DELETE TO audit DO INSTEAD NOTHING;
ALTER TABLE audit DISABLE RULE audit_keep;
`;

export const GENERATOR_ROLE = 'mc_gen_app';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Names a migration built so far has made, so that later statements can use them. */
interface Built {
  added: Array<{ table: string; column: string; type: string }>;
  tables: string[];
  counter: number;
}

const TABLES = ['users', 'orders'] as const;
const COLUMNS: Record<string, Array<{ name: string; type: string }>> = {
  users: [{ name: 'email', type: 'text' }, { name: 'name', type: 'text' }, { name: 'score', type: 'int' }, { name: 'mood', type: 'mood' }, { name: 'updated_at', type: 'timestamptz' }],
  orders: [{ name: 'total', type: 'numeric(10,2)' }, { name: 'note', type: 'varchar(40)' }, { name: 'placed', type: 'date' }, { name: 'user_id', type: 'int' }],
};
const NEW_TYPES = ['text', 'int', 'bigint', 'boolean', 'numeric(12,2)', 'varchar(20)', 'mood', 'timestamptz', 'jsonb'];
const WIDER: Record<string, string[]> = {
  int: ['bigint', 'numeric', 'text', 'smallint', 'double precision'],
  text: ['varchar(100)', 'varchar(5)', 'char(20)'],
  'numeric(10,2)': ['numeric(12,2)', 'numeric(10,1)', 'numeric', 'double precision', 'real'],
  'varchar(40)': ['varchar(100)', 'text', 'varchar(10)'],
  date: ['timestamp', 'timestamptz', 'text'],
  timestamptz: ['timestamp', 'date', 'timestamptz(0)'],
  mood: ['text'],
};
const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'ALL', 'TRUNCATE', 'REFERENCES'];
const GRANTEES = [GENERATOR_ROLE, 'PUBLIC'];

function valueFor(type: string, random: Random): string {
  switch (type.replace(/\(.*\)/, '')) {
    case 'int':
    case 'bigint':
    case 'smallint':
      return String(Math.floor(random() * 100));
    case 'numeric':
    case 'double precision':
    case 'real':
      return (random() * 100).toFixed(3);
    case 'boolean':
      return random() < 0.5 ? 'true' : 'false';
    case 'mood':
      return `'${pick(random, ['sad', 'ok', 'happy'])}'`;
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return `'2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)} 12:34:56.789+00'`;
    case 'jsonb':
      return `'{"k": ${Math.floor(random() * 10)}}'`;
    default:
      return `'v${Math.floor(random() * 1000)}'`;
  }
}

function existingColumn(random: Random, built: Built): { table: string; column: string; type: string } {
  if (built.added.length > 0 && random() < 0.4) return pick(random, built.added);
  const table = pick(random, TABLES);
  const column = pick(random, COLUMNS[table]!);
  return { table, column: column.name, type: column.type };
}

/** The grammar: each entry writes one statement (or a few that belong together). */
const STATEMENTS: Array<(random: Random, built: Built) => string> = [
  // Columns.
  (random, built) => {
    const table = pick(random, TABLES);
    const type = pick(random, NEW_TYPES);
    const column = `c${built.counter++}`;
    built.added.push({ table, column, type });
    const extra = random() < 0.3 ? ` DEFAULT ${valueFor(type, random)}` : random() < 0.1 ? ` NOT NULL DEFAULT ${valueFor(type, random)}` : '';
    return `ALTER TABLE ${table} ADD COLUMN ${column} ${type}${extra};`;
  },
  (random, built) => {
    const { table, column, type } = existingColumn(random, built);
    return `UPDATE ${table} SET ${column} = ${valueFor(type, random)}${random() < 0.5 ? ' WHERE id % 2 = 0' : ''};`;
  },
  (random, built) => {
    const target = built.added.length > 0 ? pick(random, built.added) : undefined;
    if (!target) return `ALTER TABLE orders DROP COLUMN note;`;
    return `UPDATE ${target.table} SET ${target.column} = ${valueFor(target.type, random)};`;
  },
  (random, built) => {
    const { table, column } = existingColumn(random, built);
    return random() < 0.5 ? `ALTER TABLE ${table} DROP COLUMN ${column};` : `ALTER TABLE ${table} RENAME COLUMN ${column} TO ${column}_renamed;`;
  },
  (random, built) => {
    const { table, column, type } = existingColumn(random, built);
    const to = pick(random, WIDER[type] ?? ['text']);
    return `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${to}${to === 'text' || type === 'text' ? '' : ` USING ${column}::${to}`};`;
  },
  (random, built) => {
    const { table, column, type } = existingColumn(random, built);
    return random() < 0.5 ? `ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${valueFor(type, random)};` : `ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT;`;
  },
  (random, built) => {
    const { table, column } = existingColumn(random, built);
    return random() < 0.5 ? `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;` : `ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL;`;
  },
  // Indexes and constraints.
  (random, built) => {
    const { table, column } = existingColumn(random, built);
    const unique = random() < 0.3 ? 'UNIQUE ' : '';
    return `CREATE ${unique}INDEX ${table}_${column}_g${built.counter++} ON ${table} (${column});`;
  },
  (random) => (random() < 0.5 ? 'DROP INDEX orders_user_idx;' : 'ALTER TABLE users DROP CONSTRAINT users_email_key;'),
  (random, built) => {
    const { table, column } = existingColumn(random, built);
    const name = `${table}_g${built.counter++}`;
    return pick(random, [
      `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL)${random() < 0.5 ? ' NOT VALID' : ''};`,
      `ALTER TABLE ${table} ADD CONSTRAINT ${name} UNIQUE (${column});`,
      'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;',
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL;',
    ]);
  },
  // Privileges and flags.
  (random) => {
    const grant = random() < 0.5;
    const option = random() < 0.2 ? (grant ? ' WITH GRANT OPTION' : '') : '';
    const privilege = pick(random, PRIVILEGES);
    const column = random() < 0.2 && ['SELECT', 'UPDATE', 'INSERT'].includes(privilege) ? ' (note)' : '';
    const on = column ? 'orders' : pick(random, ['users', 'orders', 'user_emails', 'SEQUENCE ticket_seq', 'FUNCTION touch()', 'SCHEMA public', 'SCHEMA app', 'TYPE mood']);
    const usable = on.startsWith('SEQUENCE') ? 'USAGE' : on.startsWith('FUNCTION') ? 'EXECUTE' : on.startsWith('SCHEMA') ? pick(random, ['USAGE', 'CREATE']) : on.startsWith('TYPE') ? 'USAGE' : privilege;
    const grantee = pick(random, GRANTEES);
    const grantOptionFor = !grant && random() < 0.2 ? 'GRANT OPTION FOR ' : '';
    return grant ? `GRANT ${usable}${column} ON ${on} TO ${grantee}${option};` : `REVOKE ${grantOptionFor}${usable}${column} ON ${on} FROM ${grantee};`;
  },
  (random) =>
    pick(random, [
      'ALTER TABLE users ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE app.settings DISABLE ROW LEVEL SECURITY;',
      'ALTER TABLE app.settings ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE users FORCE ROW LEVEL SECURITY;',
      'ALTER TABLE orders DISABLE TRIGGER orders_audit;',
      'ALTER TABLE orders ENABLE TRIGGER orders_audit;',
      'ALTER TABLE users DISABLE TRIGGER USER;',
      'ALTER TABLE orders ENABLE ALWAYS TRIGGER orders_audit;',
      'ALTER TABLE audit SET UNLOGGED;',
      `ALTER TABLE users OWNER TO ${GENERATOR_ROLE};`,
      `ALTER TABLE orders OWNER TO ${GENERATOR_ROLE};`,
      `ALTER VIEW user_emails OWNER TO ${GENERATOR_ROLE};`,
      `ALTER SEQUENCE ticket_seq OWNER TO ${GENERATOR_ROLE};`,
      `ALTER FUNCTION touch() OWNER TO ${GENERATOR_ROLE};`,
      `ALTER SCHEMA app OWNER TO ${GENERATOR_ROLE};`,
      'ALTER DOMAIN short_text SET NOT NULL;',
      'ALTER DOMAIN short_text DROP NOT NULL;',
      'ALTER TABLE audit SET LOGGED;',
      'ALTER TABLE audit ENABLE RULE audit_keep;',
      'ALTER TABLE audit DISABLE RULE audit_keep;',
      'ALTER TABLE app.settings NO FORCE ROW LEVEL SECURITY;',
      'ALTER TABLE orders ENABLE REPLICA TRIGGER orders_audit;',
      'ALTER SEQUENCE ticket_seq OWNED BY orders.id;',
      "COMMENT ON TABLE users IS 'humans';",
      "COMMENT ON COLUMN orders.note IS 'free text';",
    ]),
  // Triggers, views, functions, tables.
  (random, built) => {
    const name = `g${built.counter++}`;
    return pick(random, [
      `CREATE FUNCTION ${name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '2031-01-01'; RETURN NEW; END $$;\nCREATE TRIGGER ${name}_trg BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION ${name}_fn();`,
      `CREATE TABLE ${name} (id int PRIMARY KEY, user_id int REFERENCES users (id));\nCREATE FUNCTION ${name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER ${name}_trg BEFORE INSERT ON ${name} FOR EACH ROW EXECUTE FUNCTION ${name}_fn();`,
      `CREATE TABLE ${name} (id int);\nCREATE TYPE ${name}_t AS ENUM ('a', 'b');\nALTER TABLE ${name} ADD COLUMN state ${name}_t;\nINSERT INTO ${name} VALUES (1, 'a');`,
      `CREATE VIEW ${name}_v AS SELECT id, total FROM orders WHERE total > 5;`,
      'CREATE OR REPLACE VIEW user_emails AS SELECT id, email, name FROM users;',
      'DROP VIEW user_emails;',
      `CREATE TABLE ${name} AS SELECT id, email FROM users;`,
      `CREATE TABLE ${name}_a (id int PRIMARY KEY, b_id int);\nCREATE TABLE ${name}_b (id int PRIMARY KEY, a_id int REFERENCES ${name}_a (id));\nALTER TABLE ${name}_a ADD CONSTRAINT ${name}_a_b FOREIGN KEY (b_id) REFERENCES ${name}_b (id);`,
      `CREATE SCHEMA ${name}_s;\nCREATE TABLE ${name} (id int);\nALTER TABLE ${name} SET SCHEMA ${name}_s;`,
      `ALTER TABLE audit RENAME TO ${name};`,
      `CREATE TABLE ${name} (id int, code text);\nCREATE FUNCTION ${name}_f() RETURNS text LANGUAGE sql AS $$ SELECT 'c' $$;\nALTER TABLE ${name} ALTER COLUMN code SET DEFAULT ${name}_f();\nINSERT INTO ${name} (id) VALUES (1);`,
      `CREATE TABLE ${name} (id int);\nCREATE FUNCTION ${name}_f(n int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT n $$;\nCREATE VIEW ${name}_v AS SELECT ${name}_f(id) AS x FROM ${name};`,
      `CREATE TABLE ${name} (id int);\nCREATE RULE ${name}_r AS ON INSERT TO ${name} DO ALSO DELETE FROM audit;\nINSERT INTO ${name} VALUES (1);`,
      `CREATE TABLE ${name} (id int);\nGRANT SELECT ON ${name} TO ${GENERATOR_ROLE};\nALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`,
      `CREATE SEQUENCE ${name}_seq;\nALTER TABLE orders ADD COLUMN ${name} bigint DEFAULT nextval('${name}_seq');`,
    ]);
  },
  // Data changes, hidden and plain.
  (random) =>
    pick(random, [
      'DELETE FROM orders WHERE id > 10;',
      "INSERT INTO orders (id, user_id, total) VALUES (100, 1, 9.99);",
      'WITH d AS (DELETE FROM audit RETURNING *) SELECT count(*) FROM d;',
      "WITH u AS (UPDATE orders SET note = 'x' WHERE id = 1 RETURNING id) SELECT * FROM u;",
      "UPDATE users SET email = 'changed@example.com' WHERE id = 1;",
      'TRUNCATE audit;',
      "INSERT INTO app.settings VALUES ('new', 'v') ON CONFLICT (key) DO UPDATE SET value = 'v';",
      "SELECT setval('ticket_seq', 100);",
      'DELETE FROM users WHERE id = 8;',
      "WITH i AS (INSERT INTO audit VALUES ('cte', 'insert') RETURNING *) SELECT count(*) FROM i;",
      "MERGE INTO app.settings s USING (VALUES ('theme', 'light')) AS v (key, value) ON s.key = v.key WHEN MATCHED THEN UPDATE SET value = v.value;",
      "UPDATE users SET name = upper(name) WHERE name IS NOT NULL RETURNING id;",
    ]),
  // Names that move.
  (random) =>
    pick(random, [
      'SET search_path = app, public;',
      'SET LOCAL search_path = app;',
      "SELECT set_config('search_path', 'app', false);",
      'CREATE TEMP TABLE users (id int);',
      'RESET search_path;',
    ]),
];

/** A migration of one to four statements. */
export function generateMigration(random: Random): string {
  const built: Built = { added: [], tables: [], counter: 1 };
  const count = 1 + Math.floor(random() * 4);
  const statements: string[] = [];
  for (let i = 0; i < count; i++) statements.push(pick(random, STATEMENTS)(random, built));
  return statements.join('\n');
}
