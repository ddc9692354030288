/**
 * A second process for test/workspace/lock.test.ts: takes the workspace lock of argv[2], prints
 * `locked <pid>` and holds the lock until its stdin closes, then releases it and exits.
 *   node --import tsx test/workspace/lockHolder.ts DIR
 */
import { acquireWorkspaceLock } from '../../core/workspace/lock.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: lockHolder.ts DIR');
const lock = await acquireWorkspaceLock(dir, { kind: 'web', command: 'c360 web --port 4399' });
process.stdout.write(`locked ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void lock.release().then(() => process.exit(0));
});
