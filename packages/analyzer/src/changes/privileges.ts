/**
 * The rollback of GRANT and REVOKE, computed from the ACL the object had before (aclitem semantics: per grantee
 * and grantor, a set of privileges, each with or without its grant option). The statement alone never shows
 * that state: `REVOKE ALL` where the role only had SELECT is not undone by `GRANT ALL`, and a GRANT of a
 * privilege the role already held needs no REVOKE (one would take it from the old application too).
 *
 * A migration's GRANT and REVOKE act on the items whose grantor is the object's owner (Postgres records the
 * owner as grantor when the owner, a member of it, or a superuser grants). In a snapshot of the shadow, the
 * owner is the anonymous replay role (owner `null`) and, as a grantor, `migcheck_sandbox` (shadow/sandbox.ts).
 */
import type { Ownership } from '../catalog/snapshot.js';
import { quoteIdent } from '../sql/quote.js';

/** How shadow snapshots name the replay role as a grantor (shadow/sandbox.ts, SANDBOX_ROLE). */
const REPLAY_GRANTOR = 'migcheck_sandbox';

/** aclitem letters, as `aclitemout` prints them. */
const LETTER: Record<string, string> = {
  SELECT: 'r', INSERT: 'a', UPDATE: 'w', DELETE: 'd', TRUNCATE: 'D', REFERENCES: 'x', TRIGGER: 't', MAINTAIN: 'm',
  EXECUTE: 'X', USAGE: 'U', CREATE: 'C', TEMPORARY: 'T', TEMP: 'T', CONNECT: 'c', SET: 's', 'ALTER SYSTEM': 'A',
};
const KEYWORD: Record<string, string> = Object.fromEntries(
  Object.entries(LETTER).filter(([keyword]) => keyword !== 'TEMP').map(([keyword, letter]) => [letter, keyword]),
);

/** One role's privileges from one grantor: letter → with grant option. */
export type PrivilegeSet = Map<string, boolean>;

export interface AclItem {
  /** '' for PUBLIC. */
  grantee: string;
  grantor: string;
  privileges: PrivilegeSet;
}

/** A role as a GRANT names it: `name` is the role's name ('' for PUBLIC), undefined for CURRENT_USER and the like. */
export interface Grantee {
  sql: string;
  name: string | undefined;
}

export interface GrantStatement {
  isGrant: boolean;
  /** REVOKE GRANT OPTION FOR. */
  grantOptionOnly: boolean;
  withGrantOption: boolean;
  /** Privilege keywords (`SELECT`); 'ALL' for ALL [PRIVILEGES]. */
  privileges: string[] | 'ALL';
  grantees: Grantee[];
}

/** An object's ACL as the prior schema shows it, and, for a table, its columns' ACLs. */
export interface PriorAcl {
  ownership: Ownership;
  columns?: Record<string, string[]>;
}

export type PrivilegeRollback = { statements: string[] } | { unknown: string };

/** Parses `grantee=privileges/grantor` (names double-quoted as aclitemout quotes them). */
export function parseAclItem(text: string): AclItem | undefined {
  const grantee = readName(text, 0);
  if (!grantee || text[grantee.end] !== '=') return undefined;
  const slash = text.indexOf('/', grantee.end);
  if (slash < 0) return undefined;
  const grantor = readName(text, slash + 1);
  if (!grantor || grantor.end !== text.length) return undefined;
  const privileges: PrivilegeSet = new Map();
  const letters = text.slice(grantee.end + 1, slash);
  for (let at = 0; at < letters.length; at++) {
    const letter = letters[at]!;
    const withOption = letters[at + 1] === '*';
    if (withOption) at++;
    privileges.set(letter, withOption);
  }
  return { grantee: grantee.name, grantor: grantor.name, privileges };
}

function readName(text: string, start: number): { name: string; end: number } | undefined {
  if (text[start] !== '"') {
    let end = start;
    while (end < text.length && text[end] !== '=' && text[end] !== '/') end++;
    return { name: text.slice(start, end), end };
  }
  let name = '';
  for (let at = start + 1; at < text.length; at++) {
    if (text[at] !== '"') name += text[at];
    else if (text[at + 1] === '"') {
      name += '"';
      at++;
    } else return { name, end: at + 1 };
  }
  return undefined;
}

/** The grantor a migration's GRANT/REVOKE acts as: the owner. */
function ownerGrantor(ownership: Ownership): string {
  return ownership.owner ?? REPLAY_GRANTOR;
}

function itemsOf(acl: string[]): AclItem[] | undefined {
  const items = acl.map(parseAclItem);
  return items.every((item) => item !== undefined) ? (items as AclItem[]) : undefined;
}

function heldBy(items: AclItem[], grantee: string, grantor: string): PrivilegeSet {
  return new Map(items.filter((item) => item.grantee === grantee && item.grantor === grantor).flatMap((item) => [...item.privileges]));
}

/** What a rollback takes away: privileges it revokes, and grant options it revokes. */
interface Revoked {
  privileges: string[];
  options: string[];
}

/**
 * The statements that give `grantee` back exactly `before` where the statement left `after`, on `on`
 * (`TABLE public.users`); `columns`: ` (email)` for a column's privileges.
 */
function restore(before: PrivilegeSet, after: PrivilegeSet, on: string, grantee: string, columns = ''): { statements: string[]; revoked: Revoked } {
  const revoke = [...after.keys()].filter((letter) => !before.has(letter));
  const revokeOption = [...after].filter(([letter, option]) => option && before.get(letter) === false).map(([letter]) => letter);
  const grant = [...before].filter(([letter, option]) => !after.has(letter) && !option).map(([letter]) => letter);
  const grantWithOption = [...before].filter(([letter, option]) => option && after.get(letter) !== true).map(([letter]) => letter);
  const statements: string[] = [];
  const privileges = (letters: string[]) => letters.map((letter) => `${KEYWORD[letter] ?? letter}${columns}`).join(', ');
  if (revoke.length > 0) statements.push(`REVOKE ${privileges(revoke)} ON ${on} FROM ${grantee};`);
  if (revokeOption.length > 0) statements.push(`REVOKE GRANT OPTION FOR ${privileges(revokeOption)} ON ${on} FROM ${grantee};`);
  if (grant.length > 0) statements.push(`GRANT ${privileges(grant)} ON ${on} TO ${grantee};`);
  if (grantWithOption.length > 0) statements.push(`GRANT ${privileges(grantWithOption)} ON ${on} TO ${grantee} WITH GRANT OPTION;`);
  return { statements, revoked: { privileges: revoke, options: revokeOption } };
}

/** A column's privileges after a table-level REVOKE of `revoked` (undefined: REVOKE ALL), which reaches every column. */
function afterTableRevoke(column: PrivilegeSet, revoked: Revoked | undefined): PrivilegeSet {
  if (!revoked) return new Map();
  const after = new Map(column);
  for (const letter of revoked.privileges) after.delete(letter);
  for (const letter of revoked.options) if (after.has(letter)) after.set(letter, false);
  return after;
}

/** What the statement leaves of `before` for the privileges it names (`letters`; undefined: ALL). */
function applied(statement: GrantStatement, before: PrivilegeSet, letters: string[] | undefined): PrivilegeSet {
  const after = new Map(before);
  const named = letters ?? [...before.keys()];
  if (statement.isGrant) {
    for (const letter of named) after.set(letter, statement.withGrantOption || before.get(letter) === true);
  } else {
    for (const letter of named) {
      if (!after.has(letter)) continue;
      if (statement.grantOptionOnly) after.set(letter, false);
      else after.delete(letter);
    }
  }
  return after;
}

/**
 * The rollback of one GRANT/REVOKE on one object, from its prior ACL. `on` is the object as the statement
 * names it (`TABLE public.users`); `columns` the privileges' column lists (empty: the object level).
 */
export function privilegeRollback(statement: GrantStatement, prior: PriorAcl, on: string, columnsOf: (privilege: string) => string[]): PrivilegeRollback {
  const items = itemsOf(prior.ownership.privileges);
  if (!items) return { unknown: 'its access list could not be read' };
  const grantor = ownerGrantor(prior.ownership);
  const statements: string[] = [];
  for (const grantee of statement.grantees) {
    if (grantee.name === undefined) return { unknown: `${grantee.sql} is whoever runs the migration, which the prior schema cannot name` };
    if (grantee.name === grantor || grantee.name === prior.ownership.owner) return { unknown: `${grantee.sql} owns the object, whose implicit privileges the access list does not show` };
    if (!statement.isGrant && items.some((item) => item.grantor === grantee.name)) {
      return { unknown: `${grantee.sql} granted privileges on it to others, which the REVOKE may take away with it` };
    }
    const before = heldBy(items, grantee.name, grantor);
    if (statement.privileges === 'ALL') {
      if (statement.isGrant) {
        // Which letters ALL means depends on the server version (MAINTAIN since 17): revoke everything, give back what was.
        if ([...before.values()].some(Boolean)) return { unknown: `${grantee.sql} held grant options that revoking ALL would take from the roles it granted to` };
        statements.push(`REVOKE ALL ON ${on} FROM ${grantee.sql};`, ...restore(before, new Map(), on, grantee.sql).statements);
        // The REVOKE ALL reaches the columns too: give back what they held.
        if (prior.columns) statements.push(...columnRestores(prior.columns, grantor, grantee, on, (column) => afterTableRevoke(column, undefined)));
        continue;
      }
      statements.push(...restore(before, applied(statement, before, undefined), on, grantee.sql).statements);
      if (prior.columns) statements.push(...columnRestores(prior.columns, grantor, grantee, on, (column) => applied(statement, column, undefined)));
      continue;
    }
    const objectLevel = statement.privileges.filter((privilege) => columnsOf(privilege).length === 0);
    const letters = lettersOf(objectLevel);
    if (!letters) return { unknown: `a privilege of ${statement.privileges.join(', ')} is not one migcheck knows` };
    if (letters.length > 0) {
      const undo = restore(before, applied(statement, before, letters), on, grantee.sql);
      statements.push(...undo.statements);
      // A table-level REVOKE takes the same privileges from every column too: the migration's, and the rollback's.
      if (prior.columns) {
        const afterMigration = (column: PrivilegeSet) => (statement.isGrant ? column : applied(statement, column, letters));
        statements.push(...columnRestores(prior.columns, grantor, grantee, on, (column) => afterTableRevoke(afterMigration(column), undo.revoked)));
      }
    }
    for (const privilege of statement.privileges.filter((name) => columnsOf(name).length > 0)) {
      const letter = LETTER[privilege];
      if (!letter || !prior.columns) return { unknown: `the column privileges of ${privilege} are not in the prior schema` };
      for (const column of columnsOf(privilege)) {
        const acl = prior.columns[column];
        if (!acl) return { unknown: `column ${column} is not in the prior schema` };
        const columnItems = itemsOf(acl);
        if (!columnItems) return { unknown: 'a column access list could not be read' };
        const beforeColumn = heldBy(columnItems, grantee.name, grantor);
        statements.push(...restore(beforeColumn, applied(statement, beforeColumn, [letter]), on, grantee.sql, ` (${quoteIdent(column)})`).statements);
      }
    }
  }
  return { statements };
}

function lettersOf(privileges: string[]): string[] | undefined {
  const letters = privileges.map((privilege) => LETTER[privilege]);
  return letters.every((letter) => letter !== undefined) ? (letters as string[]) : undefined;
}

/** Column-level statements that give every column back what it held, from the state `after` left it in. */
function columnRestores(columns: Record<string, string[]>, grantor: string, grantee: Grantee, on: string, after: (column: PrivilegeSet) => PrivilegeSet): string[] {
  const statements: string[] = [];
  for (const [column, acl] of Object.entries(columns).sort(([a], [b]) => a.localeCompare(b))) {
    const before = heldBy(itemsOf(acl) ?? [], grantee.name ?? '', grantor);
    statements.push(...restore(before, after(before), on, grantee.sql, ` (${quoteIdent(column)})`).statements);
  }
  return statements;
}
