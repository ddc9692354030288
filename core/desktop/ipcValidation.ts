/**
 * Every IPC call from the page is checked here before a handler runs: the channel must be one of IPC_CHANNELS,
 * the sending frame must be the app's own top-level page (APP_ORIGIN), and the arguments must match the channel's
 * zod schema exactly (no extra arguments, no extra fields). Written against a minimal `ipcMain`-like interface so
 * tests drive it without Electron.
 */
import { z } from 'zod';
import { APP_ORIGIN } from './appOrigin.ts';
import { IPC_CHANNELS, type IpcChannel } from './ipcChannels.ts';
import { isAppUrl } from './navigationPolicy.ts';
import { klaviyoKeySchema } from './keyStore.ts';

const none = z.tuple([]);

/** The arguments each channel accepts (after the event). */
export const IPC_INPUTS = {
  [IPC_CHANNELS.connectApi]: none,
  [IPC_CHANNELS.workspaceCurrent]: none,
  [IPC_CHANNELS.workspaceRecent]: none,
  [IPC_CHANNELS.workspaceOpen]: none,
  [IPC_CHANNELS.workspaceCreate]: none,
  // A folder the renderer names is only accepted if main already lists it in `recent` (checked by the handler).
  [IPC_CHANNELS.workspaceSwitch]: z.tuple([z.string().min(1).max(4096)]),
  [IPC_CHANNELS.klaviyoKeyStatus]: none,
  [IPC_CHANNELS.klaviyoKeySave]: z.tuple([klaviyoKeySchema]),
  [IPC_CHANNELS.klaviyoKeyClear]: none,
  [IPC_CHANNELS.klaviyoKeyTest]: none,
} as const satisfies Record<IpcChannel, z.ZodTuple>;

export type IpcInput<C extends IpcChannel> = z.infer<(typeof IPC_INPUTS)[C]>;

export type IpcHandlers = { [C in IpcChannel]: (...args: IpcInput<C>) => Promise<unknown> | unknown };

/** The frame that sent a message, as main sees it (event.senderFrame). */
export interface IpcSender {
  url: string;
  /** true for the window's top-level frame (senderFrame.parent === null). */
  isMainFrame: boolean;
}

export class IpcRejectedError extends Error {
  override name = 'IpcRejectedError';
  constructor(
    readonly code: 'INVALID_INPUT' | 'UNAUTHORIZED',
    message: string,
  ) {
    super(message);
  }
}

const KNOWN = new Set<string>(Object.values(IPC_CHANNELS));

export function isKnownChannel(channel: string): channel is IpcChannel {
  return KNOWN.has(channel);
}

/**
 * Checks one call; returns the parsed arguments or throws IpcRejectedError. The messages name the channel and
 * the failing argument, never its value (a mistyped API key must not end up in a log).
 */
export function validateIpcCall<C extends IpcChannel>(
  channel: C,
  args: readonly unknown[],
  sender: IpcSender | null,
  appOrigin?: string,
): IpcInput<C>;
export function validateIpcCall(
  channel: string,
  args: readonly unknown[],
  sender: IpcSender | null,
  appOrigin?: string,
): unknown[];
export function validateIpcCall(
  channel: string,
  args: readonly unknown[],
  sender: IpcSender | null,
  appOrigin = APP_ORIGIN,
): unknown[] {
  if (!isKnownChannel(channel))
    throw new IpcRejectedError(
      'INVALID_INPUT',
      `Unknown IPC channel "${channel.slice(0, 80)}"; the call was refused.`,
    );
  if (!sender || !sender.isMainFrame || !isAppUrl(sender.url, appOrigin))
    throw new IpcRejectedError(
      'UNAUTHORIZED',
      `IPC call ${channel} came from a frame that is not the app's own page; it was refused.`,
    );
  const parsed = IPC_INPUTS[channel].safeParse(args);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map(
        (issue) =>
          `${issue.path.length ? `argument ${issue.path.join('.')}` : 'arguments'}: ${issue.message}`,
      )
      .join('; ');
    throw new IpcRejectedError('INVALID_INPUT', `Invalid input for ${channel} (${where}).`);
  }
  return parsed.data as unknown[];
}

/** The part of Electron's ipcMain this module needs. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (
      event: { senderFrame: { url: string; parent: unknown } | null },
      ...args: unknown[]
    ) => unknown,
  ): void;
}

/** Registers one validating handler per channel (and none for anything else, so unknown channels fail). */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: IpcHandlers,
  appOrigin = APP_ORIGIN,
): void {
  for (const channel of Object.values(IPC_CHANNELS)) {
    ipcMain.handle(channel, async (event, ...args) => {
      const frame = event.senderFrame;
      const sender = frame ? { url: frame.url, isMainFrame: frame.parent === null } : null;
      const input = validateIpcCall(channel, args, sender, appOrigin);
      const handler = handlers[channel] as (...a: unknown[]) => unknown;
      return handler(...input);
    });
  }
}
