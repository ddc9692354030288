import { createHttpClient } from '../core/api/client/index.ts';
import { startWebServer } from '../test/e2e/webServer.ts';
const server = await startWebServer(process.argv[2]!, { timeoutMs: 120_000 });
const c = createHttpClient(server.url, { token: server.token });
const def = { name: 'new_segment', description: '', rules: [{ column: 'days_since_last_order', op: '>=', value: 100 }] };
const time = async (name: string, f: () => Promise<unknown>) => {
  const t = performance.now();
  try { await f(); console.log(name, (performance.now() - t).toFixed(0), 'ms'); }
  catch (e) { console.log(name, 'FAILED', (performance.now() - t).toFixed(0), 'ms', String(e).slice(0, 200)); }
};
try {
  for (let i = 0; i < 2; i++) {
    await time('preview', () => c.segments.preview({ definition: def }));
    await time('diff', () => c.segments.diff({ definition: def }));
    await time('breakdown', () => c.segments.breakdown({ definition: def, column: 'total_orders' }));
    await time('priority', () => c.segments.priority({ definition: def }));
    await time('members', () => c.segments.members({ definition: def, offset: 0, limit: 20 }));
    await time('columns', () => c.segments.columns());
    await time('values', () => c.segments.values({ column: 'lifecycle_stage' }));
  }
} finally { await server.stop(); }
