/**
 * The Klaviyo private API key of the desktop app, kept encrypted in the app's userData folder.
 *
 * Encryption is injected (main passes Electron's safeStorage, backed by the OS key store: Keychain, DPAPI,
 * libsecret/kwallet), so the store is tested with a stand-in. The key is decrypted only in the main process, to
 * test it or to hand it to the service host that runs syncs; the renderer-facing calls (status, save, clear,
 * test) return whether a key is set and whether it works, never the key.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { KlaviyoKeyCheck, KlaviyoKeyStatus } from './preloadApi.ts';

/** A Klaviyo private key: pk_ followed by letters and digits. */
export const klaviyoKeySchema = z
  .string()
  .trim()
  .regex(
    /^pk_[A-Za-z0-9]{16,128}$/,
    'a Klaviyo private API key starts with pk_ followed by letters and digits',
  );

export const KEY_FILE = 'klaviyo-key.json';

export interface KeyEncryption {
  /** false when the OS offers no real key store (e.g. Linux without libsecret/kwallet: safeStorage's basic_text). */
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(encrypted: Buffer): string;
}

export type KeyChecker = (key: string, signal?: AbortSignal) => Promise<KlaviyoKeyCheck>;

const fileSchema = z.strictObject({
  version: z.literal(1),
  /** base64 of the encrypted key */
  encrypted: z.string().min(1),
  savedAt: z.iso.datetime(),
});

export class KeyStoreError extends Error {
  override name = 'KeyStoreError';
  constructor(
    readonly code: 'INVALID_INPUT' | 'KEY_STORE_UNAVAILABLE' | 'KEY_STORE_UNREADABLE',
    message: string,
  ) {
    super(message);
  }
}

export class KlaviyoKeyStore {
  readonly file: string;

  constructor(
    userDataDir: string,
    private readonly encryption: KeyEncryption,
    private readonly checkKey: KeyChecker,
  ) {
    this.file = join(userDataDir, KEY_FILE);
  }

  async status(): Promise<KlaviyoKeyStatus> {
    const stored = await this.readFile();
    return {
      isSet: stored !== undefined,
      savedAt: stored?.savedAt ?? null,
      encryptionAvailable: this.encryption.isAvailable(),
    };
  }

  /** Validates, encrypts and stores the key (replacing any earlier one), written so a crash leaves old or new. */
  async save(input: string): Promise<KlaviyoKeyStatus> {
    const parsed = klaviyoKeySchema.safeParse(input);
    if (!parsed.success)
      throw new KeyStoreError(
        'INVALID_INPUT',
        'That is not a Klaviyo private API key. Copy the private key (pk_…) from Klaviyo → Settings → API keys.',
      );
    if (!this.encryption.isAvailable())
      throw new KeyStoreError(
        'KEY_STORE_UNAVAILABLE',
        'This computer offers no key store to encrypt the Klaviyo key with, so it was not saved. ' +
          'On Linux install and unlock a keyring (GNOME Keyring or KWallet), or set KLAVIYO_API_KEY in the environment instead.',
      );
    const contents = {
      version: 1 as const,
      encrypted: this.encryption.encrypt(parsed.data).toString('base64'),
      savedAt: new Date().toISOString(),
    };
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(contents)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
    return this.status();
  }

  async clear(): Promise<KlaviyoKeyStatus> {
    await rm(this.file, { force: true });
    return this.status();
  }

  /** Tests the stored key against Klaviyo; the result says whether it works, not what it is. */
  async test(signal?: AbortSignal): Promise<KlaviyoKeyCheck> {
    const key = await this.readKey();
    if (key === undefined)
      return {
        ok: false,
        reason: 'not-set',
        message: 'No Klaviyo key is saved yet. Paste your private key (pk_…) first.',
      };
    return this.checkKey(key, signal);
  }

  /**
   * The plain key, for the main process only (to pass to the service host that runs syncs). Never wire this to
   * an IPC channel.
   */
  async readKey(): Promise<string | undefined> {
    const stored = await this.readFile();
    if (!stored) return undefined;
    if (!this.encryption.isAvailable())
      throw new KeyStoreError(
        'KEY_STORE_UNAVAILABLE',
        'The saved Klaviyo key cannot be decrypted because the OS key store is not available (locked keyring?). ' +
          'Unlock it and try again, or save the key again.',
      );
    try {
      return this.encryption.decrypt(Buffer.from(stored.encrypted, 'base64'));
    } catch {
      throw new KeyStoreError(
        'KEY_STORE_UNREADABLE',
        'The saved Klaviyo key could not be decrypted (it was saved by another user or computer?). Save the key again.',
      );
    }
  }

  private async readFile(): Promise<z.infer<typeof fileSchema> | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success)
      throw new KeyStoreError(
        'KEY_STORE_UNREADABLE',
        `${this.file} is damaged. Remove the saved key in Settings (or delete the file) and save it again.`,
      );
    return parsed.data;
  }
}
