import type { Database } from '../db/duckdb.ts';

export type VarValue = string | number | boolean;
export type Vars = Record<string, VarValue>;

/** A data test attached to a model or a column in the folder's YAML file. */
export type ColumnTest =
  | 'unique'
  | 'not_null'
  | { accepted_values: { values: (string | number | boolean)[] } }
  | { relationships: { to: string; field: string } }
  | { expression: string };

export type ModelTest =
  { row_count: { min?: number; max?: number } } | { expression: string } | { unique_combination: string[] };

export interface ColumnDoc {
  name: string;
  description: string;
  tests?: ColumnTest[];
  tags?: string[];
  value_tags?: Record<string, (string | number | boolean)[]>;
}

/**
 * A model computed in TypeScript instead of SQL (like a dbt Python model), e.g. the CLV fit. It reads its
 * inputs through `ctx.ref(...)` and must create exactly the table `ctx.target`.
 */
export interface CodeModel {
  name: string;
  description: string;
  /** Models and seeds this one reads. */
  refs: string[];
  columns: ColumnDoc[];
  tests?: ModelTest[];
  /** Whether the table stays in the workspace file after the build (default true); see ProjectNode.persist. */
  persist?: boolean;
  build(ctx: CodeModelContext): Promise<void>;
}

export interface CodeModelContext {
  db: Database;
  vars: Vars;
  /** Quoted relation name of an upstream model or seed for this build. */
  ref(name: string): string;
  /** Quoted relation name that the model must create (a table). */
  target: string;
  /** Reference time of the build (var `as_of`), ISO `YYYY-MM-DD HH:MM:SS`. */
  asOf: string;
}
