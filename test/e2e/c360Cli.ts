import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');

/** Runs the CLI as a user does (`c360 <args>`); a failure carries its output. */
export async function c360(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`c360 ${args.join(' ')} failed:\n${stderr || stdout || String(error)}`);
  }
}
