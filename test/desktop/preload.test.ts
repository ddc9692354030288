// Loads the real electron/preload.ts with `electron` replaced by recording stand-ins (the binary is not installed
// here), and checks what it hands to contextBridge.exposeInMainWorld.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  IPC_CHANNELS,
  ORPC_PORT_MESSAGE,
  PORT_CHANNEL,
  WORKSPACE_CHANGED_CHANNEL,
} from '../../core/desktop/ipcChannels.ts';

const exposed = new Map<string, unknown>();
const invoked: Array<[string, unknown[]]> = [];
const listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
const pagePosts: Array<{ message: unknown; origin: string; transfer: unknown[] }> = [];

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, args]);
      return { channel };
    },
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    removeListener: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    },
  },
}));

type Api = Record<string, unknown> & {
  workspace: Record<string, (...args: unknown[]) => Promise<unknown>>;
  klaviyoKey: Record<string, (...args: unknown[]) => Promise<unknown>>;
  connectApi(): Promise<unknown>;
  onWorkspaceChanged(listener: (state: unknown) => void): () => void;
};
let api: Api;

beforeAll(async () => {
  vi.stubGlobal('window', {
    location: { origin: 'app://c360' },
    postMessage: (message: unknown, origin: string, transfer: unknown[]) =>
      pagePosts.push({ message, origin, transfer }),
  });
  await import('../../electron/preload.ts');
  api = exposed.get('c360') as Api;
});

/** Every key of an object and its nested objects, as dotted paths. */
function surface(value: unknown, prefix = ''): string[] {
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    inner !== null && typeof inner === 'object' ? surface(inner, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe('the preload', () => {
  it('exposes exactly one global, window.c360, with exactly the typed calls', () => {
    expect([...exposed.keys()]).toEqual(['c360']);
    expect(surface(api).sort()).toEqual(
      [
        'kind',
        'connectApi',
        'onWorkspaceChanged',
        'workspace.current',
        'workspace.recent',
        'workspace.open',
        'workspace.create',
        'workspace.switchTo',
        'klaviyoKey.status',
        'klaviyoKey.save',
        'klaviyoKey.clear',
        'klaviyoKey.test',
      ].sort(),
    );
  });

  it('exposes no ipcRenderer, no generic invoke/send/on and no way to read the Klaviyo key', () => {
    const keys = surface(api).map((path) => path.split('.').pop()!.toLowerCase());
    for (const forbidden of [
      'ipcrenderer',
      'invoke',
      'send',
      'on',
      'sendsync',
      'postmessage',
      'get',
      'read',
      'key',
    ])
      expect(keys).not.toContain(forbidden);
    expect(Object.isFrozen(api) && Object.isFrozen(api.workspace) && Object.isFrozen(api.klaviyoKey)).toBe(
      true,
    );
  });

  it('binds each call to its own channel and passes only its own arguments', async () => {
    invoked.length = 0;
    await api.workspace.switchTo!('/home/ada/shop');
    await api.klaviyoKey.save!('pk_abc');
    await api.klaviyoKey.status!();
    await api.connectApi();
    expect(invoked).toEqual([
      [IPC_CHANNELS.workspaceSwitch, ['/home/ada/shop']],
      [IPC_CHANNELS.klaviyoKeySave, ['pk_abc']],
      [IPC_CHANNELS.klaviyoKeyStatus, []],
      [IPC_CHANNELS.connectApi, []],
    ]);
  });

  it('forwards the API port from main to the page, addressed to the page origin', () => {
    const port = { fake: 'port' };
    for (const listener of listeners.get(PORT_CHANNEL) ?? [])
      listener({ ports: [port], sender: 'ipcRenderer' });
    expect(pagePosts).toEqual([
      { message: { type: ORPC_PORT_MESSAGE }, origin: 'app://c360', transfer: [port] },
    ]);
  });

  it('hands workspace changes to the page without the IPC event (which carries the sender)', () => {
    const seen: unknown[][] = [];
    const unsubscribe = api.onWorkspaceChanged((...args) => seen.push(args));
    const fire = () => {
      for (const listener of listeners.get(WORKSPACE_CHANGED_CHANNEL) ?? [])
        listener({ sender: 'ipcRenderer' }, { status: 'none' });
    };
    fire();
    unsubscribe();
    fire();
    expect(seen).toEqual([[{ status: 'none' }]]);
  });
});
