import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * One folder per test run for the built demo workspaces the sync tests share (test/sync/syncWorkspace.ts
 * `buildBaseWorkspace` makes each size there on first use, so a run without sync tests makes nothing); removed
 * when the run ends.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    syncBaseRoot: string;
  }
}

let root: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'c360-sync-shared-'));
  project.provide('syncBaseRoot', root);
}

export async function teardown(): Promise<void> {
  if (root) await rm(root, { recursive: true, force: true });
}
