import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { C360Error } from '../../errors.ts';
import { createRouter } from '../../api/router.ts';
import { startWebServer } from '../../api/server/webServer.ts';
import { commandLine, WorkspaceService } from '../../service/index.ts';
import { createOutput } from '../output.ts';
import { EXIT, type GlobalOptions } from '../common.ts';

export interface WebOptions {
  port?: string;
  /** commander's --no-open: false when given. */
  open: boolean;
}

/** The project folder (where package.json is), from the sources (core/cli/actions) or the build (dist/cli). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** The built renderer: renderer/dist (design15.md); dist/renderer if the build step puts it there. */
export function rendererDir(root = projectRoot()): string {
  const candidates = [join(root, 'renderer', 'dist'), join(root, 'dist', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new C360Error(
      'INVALID_INPUT',
      `--port ${text} is not a port; give a number from 1 to 65535, or leave it out.`,
    );
  return port;
}

/** Opens the address with the platform's opener; a failure only costs the convenience. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener on this machine: the address is on stdout
  }
}

/** `c360 web`: the workbench in the browser for one workspace, on 127.0.0.1 until Ctrl-C. */
export async function web(globals: GlobalOptions, options: WebOptions): Promise<void> {
  const out = createOutput(globals.json);
  const port = parsePort(options.port);
  // The server owns the workspace while it runs: a `c360` command started meanwhile reads the lock's owner file
  // and sends a build here (or says who holds the workspace) instead of meeting DuckDB's file lock.
  const service = await WorkspaceService.open(globals.workspace, {
    owner: { kind: 'web', command: commandLine() },
  });
  const staticDir = rendererDir();
  if (!existsSync(join(staticDir, 'index.html')))
    out.warn(
      `the renderer is not built (no ${staticDir}/index.html): run \`npm run build\`; the API works without it`,
    );
  let server;
  try {
    server = await startWebServer({
      router: createRouter(),
      context: { service },
      port,
      staticDir,
      host: '127.0.0.1',
    });
  } catch (error) {
    await service.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      out.error(
        `port ${port} is in use on 127.0.0.1; pick another with --port N, or leave --port out for a free one`,
      );
      process.exitCode = EXIT.usage;
      return;
    }
    throw error;
  }
  try {
    await service.lock?.update({ url: server.url, token: server.token });
  } catch (error) {
    await server.close();
    await service.close();
    throw error;
  }
  // The segment engine's working tables are built now, not at the first preview (seconds on 1M customers).
  const warming = new AbortController();
  void service.segments.warm(warming.signal);
  const address = `${server.url}/?token=${server.token}`;
  process.stdout.write(`Listening on ${address}\n`);
  out.progress(`Workspace ${service.dir}. Press Ctrl-C to stop.`);
  if (options.open && process.stdout.isTTY) openBrowser(address);

  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      out.progress('Stopping the web server');
      warming.abort();
      running
        .close()
        .finally(() => service.close())
        .then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
