/**
 * The messages between electron/main.ts and the service host (utility process). Validated with zod on both
 * sides: they cross a process boundary. Kept apart from serviceHost.ts so main does not load oRPC's server.
 */
import { z } from 'zod';

/** main → host */
export const hostRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('open'), dir: z.string().min(1).max(4096), create: z.boolean() }),
  /** carries one port in the message's ports */
  z.strictObject({ type: z.literal('connect') }),
  z.strictObject({ type: z.literal('klaviyo-key'), key: z.string().min(1).max(512).nullable() }),
  z.strictObject({ type: z.literal('close') }),
]);
export type HostRequest = z.infer<typeof hostRequestSchema>;

/** host → main */
export type HostEvent =
  | { type: 'ready' }
  | { type: 'opened'; dir: string }
  | { type: 'open-failed'; dir: string; code: string; message: string }
  | { type: 'connect-refused'; message: string }
  | { type: 'rejected'; message: string }
  | { type: 'closed' };

export const hostEventSchema: z.ZodType<HostEvent> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('opened'), dir: z.string() }),
  z.strictObject({ type: z.literal('open-failed'), dir: z.string(), code: z.string(), message: z.string() }),
  z.strictObject({ type: z.literal('connect-refused'), message: z.string() }),
  z.strictObject({ type: z.literal('rejected'), message: z.string() }),
  z.strictObject({ type: z.literal('closed') }),
]);
