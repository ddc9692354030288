import type { Command } from 'commander';
import type { GlobalOptions } from '../common.ts';
import type { WebOptions } from '../actions/web.ts';

/** The server (oRPC, ws, DuckDB) lives in ../actions/web.ts, loaded only when `c360 web` runs. */
const actions = () => import('../actions/web.ts');

export function registerWebCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('web')
    .description(
      'Serve the workbench and its API for one workspace (-w DIR) on 127.0.0.1 (prints the address with its session token; ' +
        'on a server, reach it through an SSH tunnel: ssh -L N:127.0.0.1:N host)',
    )
    .option('-p, --port <n>', 'port to listen on (default: a free one)')
    .option('--no-open', 'do not open a browser (it opens only when stdout is a terminal)')
    .action(async (options: WebOptions) => (await actions()).web(globals(), options));
}
