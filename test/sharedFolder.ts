import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A folder made once per test run and shared by every test file that needs it (the folder `root` comes from a
 * vitest globalSetup, so it lives as long as the run). The first file to ask makes it under a lock (an atomic
 * mkdir) into a `.partial` folder that is renamed when complete; files asking meanwhile wait for it. Making a
 * demo shop and building its models takes tens of seconds on a busy 2-core machine, copying it milliseconds.
 */
export async function sharedFolder(
  root: string,
  name: string,
  make: (dir: string) => Promise<void>,
  waitMs = 240_000,
): Promise<string> {
  const done = join(root, name);
  const lock = join(root, `${name}.making`);
  if (existsSync(done)) return done;
  try {
    await mkdir(lock);
  } catch {
    for (let waited = 0; !existsSync(done); waited += 250) {
      if (waited > waitMs) throw new Error(`the shared ${name} in ${root} was not made within ${waitMs} ms`);
      // the maker renames the folder before it removes the lock: no lock and no folder means it failed
      if (!existsSync(lock) && !existsSync(done))
        throw new Error(`making the shared ${name} in ${root} failed in another test file`);
      await sleep(250);
    }
    return done;
  }
  try {
    const making = join(root, `${name}.partial`);
    await rm(making, { recursive: true, force: true });
    await make(making);
    await rename(making, done);
    return done;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
