import { z } from 'zod';

export const MAX_DEMO_CUSTOMERS = 5_000_000;

function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * The serialisable part of the demo options, for the API and the CLI to validate user input before a
 * long build starts. Messages name the option and the accepted range so they can be shown as they are.
 */
export const demoOptionsSchema = z
  .object({
    customers: z
      .number({ error: 'customers must be a number' })
      .int({ error: 'customers must be a whole number' })
      .min(1, { error: 'customers must be at least 1' })
      .max(MAX_DEMO_CUSTOMERS, {
        error: `customers must be at most ${MAX_DEMO_CUSTOMERS.toLocaleString('en')}`,
      }),
    seed: z
      .number({ error: 'seed must be a number' })
      .int({ error: 'seed must be a whole number' })
      .min(-2_147_483_648, { error: 'seed must fit in 32 bits' })
      .max(2_147_483_647, { error: 'seed must fit in 32 bits' })
      .optional(),
    asOf: z
      .string({ error: 'asOf must be a date string YYYY-MM-DD' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, {
        error: 'asOf must be a date in the form YYYY-MM-DD, e.g. 2025-06-30',
        abort: true,
      })
      .refine(isCalendarDate, { error: 'asOf is not a calendar date' })
      .optional(),
    dirtyShare: z
      .number({ error: 'dirtyShare must be a number' })
      .min(0, { error: 'dirtyShare must be between 0 and 0.5' })
      .max(0.5, { error: 'dirtyShare must be between 0 and 0.5' })
      .optional(),
  })
  .strict();

export type DemoOptionsInput = z.input<typeof demoOptionsSchema>;

export interface DemoProgressEvent {
  stage: string;
  rows?: number;
  seconds: number;
}

export interface DemoOptions extends DemoOptionsInput {
  onProgress?: (event: DemoProgressEvent) => void;
}

export interface DemoTableCount {
  schema: string;
  table: string;
  rows: number;
}

export interface DemoSummary {
  asOf: string;
  seed: number;
  customers: number;
  tables: DemoTableCount[];
  stages: { stage: string; seconds: number }[];
  totalSeconds: number;
}

export const DEFAULT_DEMO_SEED = 42;
export const DEFAULT_DIRTY_SHARE = 0.02;

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
