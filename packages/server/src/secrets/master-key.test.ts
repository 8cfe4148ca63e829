import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LatheError } from '@lathe/contract';
import { Keyring, parseKey } from './master-key.js';

const dir = mkdtempSync(join(tmpdir(), 'lathe-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Keyring', () => {
  it('makes a 0600 key file on first use and reads it back', async () => {
    const file = join(dir, 'master.key');
    const a = await Keyring.fromFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = await Keyring.fromFile(file);
    expect(b.activeId).toBe(a.activeId);
    expect(b.open(a.seal('v', 'aad'), 'aad', 'x')).toBe('v');
  });

  it('refuses a key file others can read', async () => {
    const file = join(dir, 'open.key');
    writeFileSync(file, readFileSync(join(dir, 'master.key')));
    chmodSync(file, 0o644);
    await expect(Keyring.fromFile(file)).rejects.toThrow(/readable by others .*chmod 600/);
  });

  it('binds a value to its name (AAD) and detects tampering', async () => {
    const ring = Keyring.fromEnvironment(parseKey(Buffer.alloc(32, 7).toString('base64'), 'k').key.toString('hex'), undefined);
    const sealed = ring.seal('secret', 'ws/1/A');
    expect(() => ring.open(sealed, 'ws/1/B', "secret 'B'")).toThrow(/could not be decrypted/);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0]! ^= 1;
    expect(() => ring.open({ ...sealed, ciphertext: flipped.toString('base64') }, 'ws/1/A', 'x')).toThrow(LatheError);
  });

  it('rotation keeps old values readable until the old key is dropped', async () => {
    const file = join(dir, 'rotate.key');
    const ring = await Keyring.fromFile(file);
    const old = ring.seal('before', 'a');
    await ring.rotate();
    expect(ring.open(old, 'a', 'x')).toBe('before');
    expect(ring.seal('after', 'a').keyId).not.toBe(old.keyId);
    await ring.forgetOlder();
    expect(() => ring.open(old, 'a', "secret 'a'")).toThrow(/which this server does not have/);
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { keys: object }).keys)).toHaveLength(1);
  });

  it('seals to one string and opens it, bound to its AAD, across a rotation', async () => {
    const ring = await Keyring.fromFile(join(dir, 'text.key'));
    const text = ring.sealText('k3y', 'endpoint/e/primary');
    expect(text).not.toContain('k3y');
    expect(text.startsWith(`${ring.activeId}.`)).toBe(true);
    await ring.rotate();
    expect(ring.openText(text, 'endpoint/e/primary', 'x')).toBe('k3y');
    expect(() => ring.openText(text, 'endpoint/e/secondary', "the key")).toThrow(/the key could not be decrypted/);
    expect(() => ring.openText('plaintext-key', 'endpoint/e/primary', 'the key')).toThrow(/not a sealed value/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => parseKey('c2hvcnQ=', 'LATHE_MASTER_KEY')).toThrow(/must be 32 bytes/);
  });
});
