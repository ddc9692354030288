import { describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../../core/desktop/appOrigin.ts';
import { IPC_CHANNELS } from '../../core/desktop/ipcChannels.ts';
import {
  IpcRejectedError,
  registerIpcHandlers,
  validateIpcCall,
  type IpcHandlers,
  type IpcMainLike,
} from '../../core/desktop/ipcValidation.ts';

const app = { url: `${APP_ORIGIN}/index.html`, isMainFrame: true };
const KEY = 'pk_0123456789abcdef0123456789abcdef';

function rejection(run: () => unknown): IpcRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof IpcRejectedError) return error;
    throw error;
  }
  throw new Error('the call was accepted');
}

describe('IPC validation', () => {
  it('accepts well-formed calls from the app page', () => {
    expect(validateIpcCall(IPC_CHANNELS.workspaceSwitch, ['/home/ada/shop'], app)).toEqual([
      '/home/ada/shop',
    ]);
    expect(validateIpcCall(IPC_CHANNELS.klaviyoKeySave, [KEY], app)).toEqual([KEY]);
    expect(validateIpcCall(IPC_CHANNELS.workspaceOpen, [], app)).toEqual([]);
  });

  it('rejects unknown channels', () => {
    const error = rejection(() => validateIpcCall('c360:fs:read', ['/etc/passwd'], app));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/Unknown IPC channel/);
  });

  it('rejects wrong types, extra arguments and missing arguments', () => {
    for (const [channel, args] of [
      [IPC_CHANNELS.workspaceSwitch, [42]],
      [IPC_CHANNELS.workspaceSwitch, []],
      [IPC_CHANNELS.workspaceSwitch, ['/a', '/b']],
      [IPC_CHANNELS.workspaceOpen, ['/tmp/anything']],
      [IPC_CHANNELS.klaviyoKeySave, [{ key: KEY }]],
      [IPC_CHANNELS.klaviyoKeySave, ['sk_not_a_private_key_0123456789']],
      [IPC_CHANNELS.workspaceSwitch, ['x'.repeat(5000)]],
    ] as const)
      expect(
        rejection(() => validateIpcCall(channel, args, app)).code,
        `${channel} ${JSON.stringify(args).slice(0, 40)}`,
      ).toBe('INVALID_INPUT');
  });

  it('never repeats a rejected value in its message (a mistyped key must not reach a log)', () => {
    const almostKey = 'pk_short';
    expect(
      rejection(() => validateIpcCall(IPC_CHANNELS.klaviyoKeySave, [almostKey], app)).message,
    ).not.toContain(almostKey);
  });

  it('rejects calls from other origins, subframes and unknown senders', () => {
    for (const sender of [
      { url: 'https://evil.example/', isMainFrame: true },
      { url: 'file:///tmp/page.html', isMainFrame: true },
      { url: 'app://other/index.html', isMainFrame: true },
      { url: `${APP_ORIGIN}/index.html`, isMainFrame: false },
      null,
    ])
      expect(rejection(() => validateIpcCall(IPC_CHANNELS.workspaceCurrent, [], sender)).code).toBe(
        'UNAUTHORIZED',
      );
  });

  it('registers a validating handler for every channel and none other', async () => {
    const registered = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    const calls: unknown[][] = [];
    const record =
      (name: string) =>
      (...args: unknown[]) => {
        calls.push([name, ...args]);
        return name;
      };
    const handlers = Object.fromEntries(
      Object.values(IPC_CHANNELS).map((channel) => [channel, record(channel)]),
    ) as IpcHandlers;
    registerIpcHandlers({ handle: (channel, listener) => registered.set(channel, listener) }, handlers);
    expect([...registered.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());

    const frame = { url: `${APP_ORIGIN}/index.html`, parent: null };
    const invoke = (channel: string, ...args: unknown[]) =>
      registered.get(channel)!({ senderFrame: frame }, ...args);
    await expect(invoke(IPC_CHANNELS.workspaceSwitch, '/w')).resolves.toBe(IPC_CHANNELS.workspaceSwitch);
    await expect(invoke(IPC_CHANNELS.workspaceSwitch, 7)).rejects.toBeInstanceOf(IpcRejectedError);
    await expect(
      registered.get(IPC_CHANNELS.klaviyoKeyStatus)!({ senderFrame: { url: frame.url, parent: {} } }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(calls).toEqual([[IPC_CHANNELS.workspaceSwitch, '/w']]);
  });
});
