import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerModelCommands } from './commands/models.ts';
import { registerWorkspaceCommands } from './commands/workspace.ts';
import { registerSourceCommands } from './commands/sources.ts';
import { registerSegmentCommands } from './commands/segments.ts';
import { registerSyncCommands } from './commands/sync.ts';
import { registerWebCommands } from './commands/web.ts';
import { EXIT, type GlobalOptions } from './common.ts';
import { describeError, exitCodeFor, toC360Error } from '../errors.ts';

// Registering the commands loads only commander and the command definitions: each action imports its
// implementation (DuckDB, the Klaviyo SDK, nunjucks, …) when it runs, so `c360 --help` stays fast.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// `c360 … | head` closes the pipe before everything is written: the reader wanted no more, which is not an
// error of ours. Without this listener Node throws the EPIPE as an unhandled 'error' event with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const program = new Command()
  .name('c360')
  .description('Customer 360 Workbench: build the Customer 360 models, preview segments, sync to Klaviyo.')
  .option('-w, --workspace <dir>', 'workspace folder (default: $C360_WORKSPACE or ./workspace)')
  .option('--json', 'machine-readable output: one JSON document on stdout, JSON log lines on stderr', false)
  .version(version)
  .showHelpAfterError()
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
registerWorkspaceCommands(program, globals);
registerSourceCommands(program, globals);
registerModelCommands(program, globals);
registerSegmentCommands(program, globals);
registerSyncCommands(program, globals);
registerWebCommands(program, globals);

program.addHelpText(
  'after',
  `
Exit codes: 0 success · 1 the work failed (build error, failing data test, rows rejected by Klaviyo,
a query stopped at its time limit, cancelled work) · 2 invalid usage, input or configuration, or a sync
refused by a guardrail or a stale plan · 3 the workspace is held by another process (the desktop app,
\`c360 web\`, another command) or that process does not answer.

Examples:
  c360 demo --customers 20000        generate a demo shop into ./workspace
  c360 build                         build all models and run the data tests
  c360 build --select dim_customers+ rebuild dim_customers and everything downstream
  c360 show dim_customers --limit 5  print rows
  c360 segments init                 copy the built-in segment templates into the workspace
  c360 segments preview winback      size, breakdowns, overlap and funnel of a segment
  c360 sync --dry-run                what a sync to Klaviyo would send (plan, API calls, duration)
  c360 runs                          sync run history
  c360 web --no-open                 the workbench in the browser (prints http://127.0.0.1:N/?token=…)`,
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    // The one place a thrown error becomes an exit code: its code's row in ERROR_CODES (core/errorCodes.ts).
    const { createOutput } = await import('./output.ts');
    const out = createOutput(Boolean(program.opts<GlobalOptions>().json));
    const failure = toC360Error(error, {
      secrets: process.env.KLAVIYO_API_KEY ? [process.env.KLAVIYO_API_KEY] : [],
    });
    out.error(out.json ? failure.message : describeError(failure), {
      code: failure.code,
      ...(failure.hint === undefined ? {} : { hint: failure.hint }),
    });
    process.exitCode = exitCodeFor(failure);
  }
}
