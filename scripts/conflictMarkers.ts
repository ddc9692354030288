import { execFileSync } from 'node:child_process';

/**
 * Fails when a tracked file still holds a merge-conflict marker. Prettier and the typecheck do not catch one in
 * Markdown, YAML or SQL, and a README with `<<<<<<< HEAD` once landed on main. Outside a git checkout (a source
 * tarball) there is nothing to compare against, so it says so and passes.
 */
let out = '';
try {
  out = execFileSync('git', ['grep', '-n', '-I', '-E', '^(<<<<<<<|>>>>>>>)( |$)', '--', '.'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (error) {
  const status = (error as { status?: number }).status;
  // git grep exits 1 when nothing matches; anything else means no git (or no checkout) here.
  if (status !== 1) console.warn('conflict-marker check skipped: not a git checkout');
}
if (out.trim()) {
  console.error(`Merge-conflict markers left in tracked files; resolve them:\n${out}`);
  process.exit(1);
}
