import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');
const LISTENING = /Listening on (http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([A-Za-z0-9_-]+)/;

export interface RunningWebServer {
  /** Base URL without the token, e.g. http://127.0.0.1:41234/ */
  url: string;
  token: string;
  /** The address the user opens: the base URL with ?token=. */
  loginUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `c360 web` as a user does and waits for its "Listening on …" line. */
export function startWebServer(
  workspace: string,
  options: { port?: number; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningWebServer> {
  const args = [BIN, '-w', workspace, 'web', '--no-open', '--port', String(options.port ?? 0)];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`c360 web did not start within ${options.timeoutMs ?? 60_000} ms:\n${stdout}\n${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const [, url, , token] = match;
      resolve({
        url: url!,
        token: token!,
        loginUrl: `${url!}?token=${token!}`,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('close', () => done());
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`c360 web exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
  });
}
