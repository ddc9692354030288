import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE, KeyStoreError, KlaviyoKeyStore, type KeyEncryption } from '../../core/desktop/keyStore.ts';
import { checkKlaviyoKey, KLAVIYO_REVISION } from '../../core/desktop/klaviyoKeyCheck.ts';

const KEY = 'pk_3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6d7';

/** A stand-in for safeStorage: a reversible transform that never leaves the key readable on disk. */
function fakeEncryption(available = true): KeyEncryption & { decrypts: number } {
  const enc = {
    decrypts: 0,
    isAvailable: () => available,
    encrypt: (plain: string) => Buffer.from(`enc:${Buffer.from(plain).reverse().toString('hex')}`),
    decrypt: (data: Buffer) => {
      enc.decrypts += 1;
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('bad ciphertext');
      return Buffer.from(text.slice(4), 'hex').reverse().toString();
    },
  };
  return enc;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-keystore-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Klaviyo key store', () => {
  it('stores the key encrypted, readable only by the user, and says only that a key is set', async () => {
    const checked: string[] = [];
    const store = new KlaviyoKeyStore(dir, fakeEncryption(), async (key) => {
      checked.push(key);
      return { ok: true, accountName: 'Demo Shop' };
    });
    expect(await store.status()).toEqual({ isSet: false, savedAt: null, encryptionAvailable: true });

    const renderFacing: unknown[] = [];
    renderFacing.push(await store.save(`  ${KEY}\n`));
    renderFacing.push(await store.status());
    renderFacing.push(await store.test());
    expect(renderFacing[1]).toMatchObject({ isSet: true, encryptionAvailable: true });
    expect(renderFacing[2]).toEqual({ ok: true, accountName: 'Demo Shop' });
    expect(checked).toEqual([KEY]);
    // Nothing that goes back to the renderer contains the key.
    expect(JSON.stringify(renderFacing)).not.toContain(KEY.slice(3));

    const onDisk = await readFile(join(dir, KEY_FILE), 'utf8');
    expect(onDisk).not.toContain(KEY.slice(3));
    if (process.platform !== 'win32') expect((await stat(join(dir, KEY_FILE))).mode & 0o077).toBe(0);
    expect(await readdir(dir)).toEqual([KEY_FILE]);
    expect(await store.readKey()).toBe(KEY);

    renderFacing.push(await store.clear());
    expect(renderFacing[3]).toEqual({ isSet: false, savedAt: null, encryptionAvailable: true });
    expect(await store.test()).toMatchObject({ ok: false, reason: 'not-set' });
  });

  it('refuses to save when the OS has no key store, and says what to do', async () => {
    const store = new KlaviyoKeyStore(dir, fakeEncryption(false), async () => ({
      ok: true,
      accountName: null,
    }));
    await expect(store.save(KEY)).rejects.toMatchObject({
      code: 'KEY_STORE_UNAVAILABLE',
      message: /keyring|KLAVIYO_API_KEY/,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses something that is not a private key without echoing it', async () => {
    const store = new KlaviyoKeyStore(dir, fakeEncryption(), async () => ({ ok: true, accountName: null }));
    const error = await store.save('sk_live_notklaviyo123456789').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).code).toBe('INVALID_INPUT');
    expect((error as Error).message).not.toContain('notklaviyo');
  });

  it('reports a damaged or foreign key file instead of crashing or leaking it', async () => {
    const store = new KlaviyoKeyStore(dir, fakeEncryption(), async () => ({ ok: true, accountName: null }));
    await writeFile(
      join(dir, KEY_FILE),
      '{"version":1,"encrypted":"bm90IG91cnM=","savedAt":"2026-01-01T00:00:00.000Z"}',
    );
    await expect(store.readKey()).rejects.toMatchObject({ code: 'KEY_STORE_UNREADABLE' });
    await writeFile(join(dir, KEY_FILE), 'garbage');
    await expect(store.status()).rejects.toMatchObject({ code: 'KEY_STORE_UNREADABLE' });
  });
});

describe('checking a key against Klaviyo (local HTTP server)', () => {
  let server: Server;
  let baseUrl: string;
  let seen: IncomingHttpHeaders[] = [];
  let status = 200;

  beforeEach(async () => {
    seen = [];
    status = 200;
    server = createServer((request, response) => {
      seen.push(request.headers);
      if (request.url !== '/api/accounts/') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(status, { 'content-type': 'application/vnd.api+json' });
      response.end(
        JSON.stringify({
          data: [{ attributes: { contact_information: { organization_name: 'Demo Shop' } } }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the key as Klaviyo expects and names the account when it works', async () => {
    await expect(checkKlaviyoKey(KEY, { baseUrl })).resolves.toEqual({ ok: true, accountName: 'Demo Shop' });
    expect(seen[0]).toMatchObject({ authorization: `Klaviyo-API-Key ${KEY}`, revision: KLAVIYO_REVISION });
  });

  it('says the key was refused on 401/403, without the key in the message', async () => {
    status = 401;
    const result = await checkKlaviyoKey(KEY, { baseUrl });
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
    expect(JSON.stringify(result)).not.toContain(KEY);
  });

  it('says Klaviyo could not be reached when nothing listens', async () => {
    const closed = baseUrl;
    await new Promise((resolve) => server.close(resolve));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await checkKlaviyoKey(KEY, { baseUrl: closed, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});
