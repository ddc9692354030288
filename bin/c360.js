#!/usr/bin/env node
// The bin loads the TypeScript CLI in-process through tsx, so `npm ci` needs no build step
// and signals (Ctrl-C, kill) reach the CLI directly.
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/main.ts');
