import { Argument, Option, type Command } from 'commander';
import type { GlobalOptions } from '../common.ts';
import type { SyncOptions } from '../actions/sync.ts';

/** What the actions run lives in ../actions/sync.ts (the Klaviyo client with it), loaded only when one of these commands runs. */
const actions = () => import('../actions/sync.ts');

const KINDS = ['profiles', 'lists', 'events', 'all'] as const;
export type SyncKind = (typeof KINDS)[number];

export function registerSyncCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sync')
    .description(
      'Sync profiles, segment lists and shipment events to Klaviyo: plan against the last applied state, ' +
        'stop at guardrails, apply in paced batches. Without KLAVIYO_API_KEY it only shows the plan. Every plan ' +
        'names the Klaviyo account of the key (the key needs accounts:read). While `c360 web` or the desktop app ' +
        "holds the workspace, the sync runs there with that process's key; this one is never sent.",
    )
    .addArgument(new Argument('[what]', 'profiles | lists | events | all').choices(KINDS).default('all'))
    .option('--dry-run', 'only plan: show what would be sent, write nothing', false)
    .option('--plan-out <file>', 'save the plan (JSON) for review; apply it later with --plan')
    .option(
      '--plan <file>',
      'apply exactly this saved plan; refused when the source or Klaviyo state changed since, or the key belongs to another Klaviyo account',
    )
    .option('--approve', 'approve the guardrails this plan trips (list removals, empty sources, …)', false)
    .addOption(new Option('--segment <name...>', 'lists sync: only these segments'))
    .addHelpText(
      'after',
      `
Exit codes: 0 planned or synced · 1 failed (or some rows rejected by Klaviyo: see c360 runs show ID) ·
2 blocked by a guardrail (re-run with --approve), a stale plan or one of another Klaviyo account, a sync
already running, or invalid configuration.

Environment: KLAVIYO_API_KEY (private key pk_…), KLAVIYO_BASE_URL (default https://a.klaviyo.com).

Examples:
  c360 sync --dry-run                      what would be sent, API calls and expected duration
  c360 sync --dry-run --plan-out plan.json save the plan for review
  c360 sync --plan plan.json               apply exactly the reviewed plan
  c360 sync lists --segment winback_early  publish one segment's list
  c360 sync --approve                      apply although a guardrail trips`,
    )
    .action(async (what: SyncKind, opts: SyncOptions) => (await actions()).sync(globals(), what, opts));

  program
    .command('runs')
    .description(
      'Sync run history: counts planned / sent / succeeded / failed / skipped, API calls, 429s. ' +
        'Sent and succeeded are what Klaviyo acknowledged, also for runs that failed or were cancelled.',
    )
    .argument('[action]', '"show" to see one run: counts per target, requests per endpoint, rejected rows')
    .argument('[id]', 'run id (or its first characters)')
    .option(
      '--limit <n>',
      'how many runs (default 20); with show: rejected rows per page (default 50)',
      (v) => Number(v),
    )
    .option('--offset <n>', 'with show: the first rejected row to list (0-based)', (v) => Number(v))
    .option('--all', 'with show: list every rejected row', false)
    .addHelpText(
      'after',
      `
Examples:
  c360 runs                          the 20 most recent runs
  c360 runs show 20260630-1200       one run; rejected rows 1–50 and how many more there are
  c360 runs show 20260630-1200 --all every rejected row
  c360 runs show 20260630-1200 --offset 50 --limit 100   rejected rows 51–150`,
    )
    .action(
      async (
        action: string | undefined,
        id: string | undefined,
        opts: { limit?: number; offset?: number; all: boolean },
      ) => (await actions()).runs(globals(), action, id, opts),
    );
}
