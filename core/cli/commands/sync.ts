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
    // No default: without a kind, --plan applies the plan's own syncs (and without --plan, all of them).
    .addArgument(
      new Argument(
        '[what]',
        'profiles | lists | events | all (default: all, or with --plan the plan’s own)',
      ).choices(KINDS),
    )
    .option('--dry-run', 'only plan: show what would be sent, write nothing', false)
    .option('--plan-out <file>', 'save the plan (JSON) for review; apply it later with --plan')
    .option(
      '--plan <file>',
      'apply exactly this saved plan, for the syncs it was made for; refused when the source or Klaviyo state ' +
        'changed since, the key belongs to another Klaviyo account, or [what] / --segment name other syncs than the plan’s',
    )
    .option(
      '--approve',
      'approve the guardrails this plan trips (list removals, empty sources, …); recorded with the plan hash, ' +
        'your OS user and the time',
      false,
    )
    .addOption(new Option('--segment <name...>', 'lists sync: only these segments'))
    .option(
      '--retry-failed [run]',
      'retry failed rows: plan only the rows Klaviyo rejected in this run (default: the last run with rows still ' +
        'failing) — fixed rows go with their current data, rows delivered since are not sent again',
    )
    .addHelpText(
      'after',
      `
Guardrails block only their own target: a guardrail on one list holds that list back until approved, and
the profiles, events and other lists are applied. The run says what was blocked; --approve approves every
guardrail of the plan (with --plan FILE: of that plan only; a stale plan cannot be approved), and each
approval is recorded in c360.sync_approvals (plan hash, guardrail, target, OS user, time).

A saved segment that cannot be compiled (a typo'd column, invalid YAML) fails its list: it is named in the
plan and the run, the other lists still sync, and the exit code is 1 (a dry run too).

--retry-failed [RUN] plans only the rows that run rejected and that are still failing, of [what] (profiles,
list members, events): nothing else is sent, not even rows that changed since. The plan names the run it
retries (its hash binds it), guardrails and preflight apply, and the new run links to the run it retries.

--plan FILE without [what] applies the plan as it was made; with [what] or --segment they must be the
plan's own (\`c360 sync lists --plan <a profiles plan>\` is refused with exit 2).

Exit codes: 0 planned or synced · 1 failed (or some rows rejected by Klaviyo: see c360 runs show ID; or a
segment that cannot be compiled) · 2 blocked by a guardrail, wholly or some targets (approve with --approve),
a stale plan, one of another Klaviyo account or for other syncs, a sync already running, or invalid
configuration.

Environment: KLAVIYO_API_KEY (private key pk_…), KLAVIYO_BASE_URL (default https://a.klaviyo.com).

Examples:
  c360 sync --dry-run                      what would be sent, API calls and expected duration
  c360 sync --dry-run --plan-out plan.json save the plan for review
  c360 sync --plan plan.json               apply exactly the reviewed plan (its own syncs)
  c360 sync --plan plan.json --approve     … approving the guardrails it shows
  c360 sync lists --segment winback_early  publish one segment's list
  c360 sync --approve                      apply although a guardrail trips
  c360 sync --retry-failed --dry-run       the failed rows of the last run with failures, as a plan
  c360 sync profiles --retry-failed 20260630-1200   retry that run's rejected profiles`,
    )
    .action(async (what: SyncKind | undefined, opts: SyncOptions) =>
      (await actions()).sync(globals(), what, opts),
    );

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
