/** The schema and data the adversarial cases start from: a small application with rows in every table. */
export const APP = `
CREATE SCHEMA app;
CREATE TABLE users (id int PRIMARY KEY, email text, name text, updated_at timestamptz NOT NULL DEFAULT '2020-01-01 00:00:00+00');
INSERT INTO users SELECT g, 'u' || g || '@example.com', 'name ' || g, '2020-01-01 00:00:00+00' FROM generate_series(1, 5) g;
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id), total numeric(10,2), note text);
INSERT INTO orders SELECT g, g, g * 1.5, 'u' || g || '@example.com' FROM generate_series(1, 5) g;
CREATE SEQUENCE ticket_seq;
SELECT nextval('ticket_seq');
`;

/** The common updated_at trigger, on users. */
export const UPDATED_AT_TRIGGER = `
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
`;
