/**
 * Entry of the workspace service's utility process (utilityProcess.fork from electron/main.ts). All logic is in
 * core/desktop/serviceHost.ts; this file connects it to `process.parentPort`, Electron's channel to main.
 */
import { runServiceHost } from '../core/desktop/serviceHost.ts';
import { openWorkspaceService } from '../core/desktop/serviceAdapter.ts';

runServiceHost(process.parentPort, openWorkspaceService, (error) => {
  console.error(`c360 service host: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
