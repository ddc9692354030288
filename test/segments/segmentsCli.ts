import { Readable } from 'node:stream';
import { Command } from 'commander';
import { registerSegmentCommands } from '../../core/cli/commands/segments.ts';
import type { GlobalOptions } from '../../core/cli/common.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `c360 --workspace DIR ARGS…` (the segments commands) in-process and captures what it writes; `stdin`
 * is what the command reads from standard input. The exit code is process.exitCode (reset by the caller).
 */
export async function runSegmentsCli(
  dir: string,
  args: readonly string[],
  { stdin }: { stdin?: string } = {},
): Promise<CliRun> {
  const program = new Command().exitOverride().option('-w, --workspace <dir>').option('--json', '', false);
  registerSegmentCommands(program, () => program.opts<GlobalOptions>());
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const realStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  if (stdin !== undefined)
    Object.defineProperty(process, 'stdin', {
      value: Readable.from([Buffer.from(stdin)]),
      configurable: true,
    });
  try {
    await program.parseAsync(['node', 'c360', '--workspace', dir, ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    Object.defineProperty(process, 'stdin', realStdin);
  }
  return { code: Number(process.exitCode ?? 0), stdout, stderr };
}
