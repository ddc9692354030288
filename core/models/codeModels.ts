import { clvModel } from '../clv/index.ts';
import type { CodeModel } from './types.ts';

/** Models computed in TypeScript, built by the runner like SQL models. */
export const CODE_MODELS: CodeModel[] = [clvModel];
