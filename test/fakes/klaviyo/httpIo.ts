/** Reading request bodies and writing JSON:API answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this are drained but not kept: enough to tell "too large" without holding gigabytes. */
const HARD_BODY_CAP = 64 * 1024 * 1024;

export interface ReceivedBody {
  bytes: number;
  /** null when the body exceeded the hard cap. */
  buffer: Buffer | null;
  /** The client went away before the body was complete (e.g. a SIGKILLed sync process). */
  aborted: boolean;
}

export function readBody(req: IncomingMessage): Promise<ReceivedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const settle = (aborted: boolean): void => {
      if (done) return;
      done = true;
      resolve({ bytes, buffer: bytes <= HARD_BODY_CAP ? Buffer.concat(chunks) : null, aborted });
    };
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= HARD_BODY_CAP) chunks.push(chunk);
    });
    req.on('end', () => settle(false));
    req.on('error', () => settle(true));
    req.on('close', () => settle(!req.complete));
  });
}

/** Sends the answer; returns the number of body bytes written. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): number {
  const text = body === undefined ? '' : JSON.stringify(body);
  const out: Record<string, string | number> = { ...headers, 'Content-Length': Buffer.byteLength(text) };
  if (body !== undefined) out['Content-Type'] = 'application/vnd.api+json';
  res.writeHead(status, out);
  res.end(text);
  return Buffer.byteLength(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
