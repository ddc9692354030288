import type { WorkspaceService } from '../service/workspaceService.ts';

/**
 * What every API handler gets in its oRPC context, whichever transport carried the call: the workspace service
 * of the process (the desktop app's service host, `c360 web`, a CLI command), opened once and borrowed by every
 * call.
 */
export interface ApiContext {
  service: WorkspaceService;
  /**
   * Where a sync of this process gets its Klaviyo key (the desktop app: the key it keeps with safeStorage).
   * Absent: the environment variable the config names (KLAVIYO_API_KEY). A routed call never carries a key.
   */
  klaviyoKey?: () => string | undefined;
}
