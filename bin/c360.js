#!/usr/bin/env node
// Runs the CLI as built by `npm run build` (dist/cli, built by `npm ci` through `prepare`): plain JavaScript
// that starts in a fraction of the time tsx needs to compile the TypeScript sources on every call.
//
// When there is no build, or a source it was built from has changed since (edited, another branch checked out,
// a pull), the sources run through tsx instead, in-process as before. A developer always runs the code in front
// of them: a stale build would silently run yesterday's code, and refusing to start until they rebuild would
// break every script and test run in between for no benefit. Only the start is slower; a note on a terminal says
// so and how to fix it. It is never written to a pipe, so scripts, cron jobs and --json readers see the same
// stderr either way.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

/** 'current', or why the build cannot be used: 'missing' or 'stale'. */
function buildState() {
  let stamp;
  try {
    // written last by scripts/buildCli.ts: [mtimeMs, size] of every source the build read
    stamp = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT' || error instanceof SyntaxError) return 'missing';
    throw error;
  }
  for (const [path, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    let info;
    try {
      info = statSync(new URL(path, root));
    } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return 'stale';
      throw error;
    }
    if (info.mtimeMs !== mtimeMs || info.size !== size) return 'stale';
  }
  return 'current';
}

const state = buildState();
if (state === 'current') {
  await import('../dist/cli/main.js');
} else {
  if (process.stderr.isTTY)
    process.stderr.write(
      state === 'missing'
        ? 'note: no CLI build in dist/cli, running the TypeScript sources (slower start); `npm run build` builds it\n'
        : 'note: the sources changed since the CLI build, running them instead (slower start); `npm run build` updates it\n',
    );
  // Loaded in-process (not a child process), so signals (Ctrl-C, kill) reach the CLI directly.
  const { register } = await import('tsx/esm/api');
  register();
  await import('../core/cli/main.ts');
}
