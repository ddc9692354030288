import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * One folder per test run for the demo shop the end-to-end files share (test/e2e/demoWorkspace.ts makes it
 * there on first use, so a run without e2e files makes nothing); removed when the run ends.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    e2eShopRoot: string;
  }
}

let root: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  root = await mkdtemp(join(tmpdir(), 'c360-e2e-shared-'));
  project.provide('e2eShopRoot', root);
}

export async function teardown(): Promise<void> {
  if (root) await rm(root, { recursive: true, force: true });
}
