import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { databaseNameForApp, identifierProblem } from '../../../domain/database';
import { quoteIdentifier, validateIdentifier } from '../../../functions/database-manager/identifiers';
import { parseRequest } from '../../../functions/database-manager/request';
import { generatePassword, scramVerifier } from '../../../functions/database-manager/scram';
import { createDatabase, createRole, lockKey, verifierLiteral } from '../../../functions/database-manager/sql';
import { UnsafeLiteral } from '../../../functions/database-manager/errors';

describe('identifiers', () => {
  test.each(['app', 'my_app', '_x', 'a$b', 'a1', 'a'.repeat(63)])('%s is accepted', (name) => {
    expect(identifierProblem(name, 'database')).toBeUndefined();
  });

  test.each([
    ['', 'must not be empty'],
    ['a'.repeat(64), 'is 64 bytes long'],
    ['1app', 'is not allowed'],
    ['App', 'is not allowed'],
    ['a-b', 'is not allowed'],
    ['a b', 'is not allowed'],
    ['caf\u00e9', 'is not allowed'],
    ['postgres', 'is reserved'],
    ['public', 'is reserved'],
    ['rds_iam', 'starts with "rds_"'],
    ['pg_monitor', 'starts with "pg_"'],
  ])('%j is refused: %s', (name, reason) => {
    expect(() => validateIdentifier(name, 'owner')).toThrow(reason);
  });

  test('quoting doubles quotes and refuses NUL', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(() => quoteIdentifier('a\u0000')).toThrow('cannot quote');
  });

  test('app names map to database names', () => {
    expect(databaseNameForApp('my-shop-2')).toBe('my_shop_2');
    expect(identifierProblem(databaseNameForApp('my-shop-2'), 'database')).toBeUndefined();
  });
});

describe('statements', () => {
  test('utility statements carry only quoted identifiers', () => {
    const db = validateIdentifier('shop', 'database');
    expect(createDatabase(db, db)).toEqual({ text: 'CREATE DATABASE "shop" OWNER "shop"', values: [] });
    expect(createRole(db)).toEqual({ text: 'CREATE ROLE "shop" WITH LOGIN', values: [] });
  });

  test('only a SCRAM verifier may be embedded as a literal', () => {
    expect(() => verifierLiteral("x' OR '1'='1")).toThrow('not a SCRAM-SHA-256 verifier');
    expect(() => verifierLiteral("x' OR '1'='1")).toThrow(UnsafeLiteral);
    const verifier = scramVerifier('secret');
    expect(verifierLiteral(verifier)).toBe(`'${verifier}'`);
  });

  test('advisory lock keys are deterministic 32-bit integers that differ by name', () => {
    expect(lockKey('role:a')).toBe(lockKey('role:a'));
    expect(lockKey('role:a')).not.toBe(lockKey('role:b'));
    expect(Number.isInteger(lockKey('x')) && Math.abs(lockKey('x')) < 2 ** 31).toBe(true);
  });
});

describe('scram', () => {
  test('the verifier follows RFC 5802 (StoredKey = H(HMAC(SaltedPassword, "Client Key")))', () => {
    const salt = Buffer.from('0123456789abcdef');
    const verifier = scramVerifier('pencil', salt, 4096);
    const [, iterations, saltB64, storedKey, serverKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier) ?? [];
    expect(Number(iterations)).toBe(4096);
    expect(Buffer.from(saltB64, 'base64')).toEqual(salt);
    const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
    expect(storedKey).toBe(createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64'));
    expect(serverKey).toBe(createHmac('sha256', salted).update('Server Key').digest('base64'));
  });

  test('generated passwords are 32 alphanumeric characters and differ', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generatePassword()).not.toBe(a);
  });
});

describe('parseRequest', () => {
  test('applies defaults', () => {
    expect(parseRequest({ action: 'createDatabase', database: 'shop' })).toEqual({ action: 'createDatabase', database: 'shop', owner: 'shop', iamAuth: true });
    expect(parseRequest({ action: 'dropDatabase', database: 'shop' })).toEqual({ action: 'dropDatabase', database: 'shop', dropOwner: false });
  });

  test('names the bad field', () => {
    expect(() => parseRequest({ action: 'runSql', database: 'shop' })).toThrow('runSql: sql: Invalid input: expected string, received undefined');
    expect(() => parseRequest({ action: 'createDatabase', database: 'shop', extra: 1 })).toThrow('createDatabase: unknown field(s) "extra"');
    expect(() => parseRequest({ action: 'dropTable' })).toThrow('action "dropTable" is not known; use one of createDatabase, dropDatabase, enableIamAuth, runSql');
  });
});
