export { openWorkspace, initWorkspace, resolveWorkspaceDir, DATABASE_FILE, DEFAULT_WORKSPACE_DIR } from './workspace.ts';
export type { Workspace, OpenWorkspaceOptions } from './workspace.ts';
export { readWorkspaceConfig, workspaceConfigSchema, ConfigError, CONFIG_FILE } from './config.ts';
export type { WorkspaceConfig } from './config.ts';
