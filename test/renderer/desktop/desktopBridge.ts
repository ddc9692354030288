import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY_URL } from '../../../core/desktop/appOrigin.ts';
import { IPC_CHANNELS, type IpcChannel } from '../../../core/desktop/ipcChannels.ts';
import { validateIpcCall } from '../../../core/desktop/ipcValidation.ts';
import { KlaviyoKeyStore, type KeyEncryption } from '../../../core/desktop/keyStore.ts';
import {
  createPreloadApi,
  type C360DesktopApi,
  type WorkspaceChoice,
  type WorkspaceInfo,
} from '../../../core/desktop/preloadApi.ts';

/**
 * A stand-in for the desktop app's preload bridge (`window.c360`), for component tests only: the real preload
 * API (createPreloadApi) over an IPC that does what electron/main.ts does — validate every call like main
 * (validateIpcCall) and answer from a real KlaviyoKeyStore on a temporary folder with a reversible test
 * encryption (safeStorage needs Electron). Everything the bridge hands back to the page is recorded, so a test
 * can check the key never comes back.
 */

export interface FakeDesktop {
  api: C360DesktopApi;
  store: KlaviyoKeyStore;
  /** What the service host would now use as the key (main sends it after save and clear). */
  hostKey(): string | undefined;
  /** Every value the bridge returned to the page. */
  returned: unknown[];
  /** Channels called, in order. */
  calls: IpcChannel[];
  remove(): Promise<void>;
}

export const testEncryption = (available = true): KeyEncryption => ({
  isAvailable: () => available,
  encrypt: (plain) => Buffer.from(`enc:${Buffer.from(plain).reverse().toString('hex')}`),
  decrypt: (data) => Buffer.from(data.toString().slice(4), 'hex').reverse().toString(),
});

export async function fakeDesktop(
  options: {
    encryptionAvailable?: boolean;
    recent?: WorkspaceInfo[];
    open?: () => Promise<WorkspaceChoice>;
    create?: () => Promise<WorkspaceChoice>;
  } = {},
): Promise<FakeDesktop> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-fake-desktop-'));
  const store = new KlaviyoKeyStore(dir, testEncryption(options.encryptionAvailable ?? true), async () => ({
    ok: true,
    accountName: 'Demo Shop',
  }));
  let hostKey: string | undefined;
  const recent = options.recent ?? [];
  const current = recent[0];
  const state = current ? { status: 'open' as const, workspace: current } : { status: 'none' as const };
  const handlers: Record<IpcChannel, (...args: unknown[]) => Promise<unknown>> = {
    [IPC_CHANNELS.connectApi]: async () => state,
    [IPC_CHANNELS.workspaceCurrent]: async () => state,
    [IPC_CHANNELS.workspaceRecent]: async () => recent,
    [IPC_CHANNELS.workspaceOpen]: options.open ?? (async () => ({ status: 'cancelled' })),
    [IPC_CHANNELS.workspaceCreate]: options.create ?? (async () => ({ status: 'cancelled' })),
    [IPC_CHANNELS.workspaceSwitch]: async (dir) => {
      const known = recent.find((w) => w.dir === dir);
      if (!known) throw new Error('That folder is not one of the recent workspaces.');
      return { status: 'open', workspace: known };
    },
    [IPC_CHANNELS.klaviyoKeyStatus]: () => store.status(),
    [IPC_CHANNELS.klaviyoKeySave]: async (key) => {
      const status = await store.save(key as string);
      hostKey = await store.readKey();
      return status;
    },
    [IPC_CHANNELS.klaviyoKeyClear]: async () => {
      const status = await store.clear();
      hostKey = undefined;
      return status;
    },
    [IPC_CHANNELS.klaviyoKeyTest]: () => store.test(),
  };
  const returned: unknown[] = [];
  const calls: IpcChannel[] = [];
  const api = createPreloadApi({
    async invoke(channel, ...args) {
      calls.push(channel);
      try {
        const valid = validateIpcCall(channel, args, { url: APP_ENTRY_URL, isMainFrame: true });
        const result = await handlers[channel](...valid);
        returned.push(result);
        return result;
      } catch (error) {
        // As ipcRenderer.invoke rejects: Electron prefixes the main process's message.
        const { name, message } = error as Error;
        const wrapped = new Error(`Error invoking remote method '${channel}': ${name}: ${message}`);
        returned.push(wrapped.message);
        throw wrapped;
      }
    },
    on: () => () => undefined,
  });
  return {
    api,
    store,
    hostKey: () => hostKey,
    returned,
    calls,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
