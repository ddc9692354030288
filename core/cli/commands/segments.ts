import type { Command } from 'commander';
import type { GlobalOptions } from '../common.ts';

/** What the actions run lives in ../actions/segments.ts, loaded only when one of these commands runs. */
const actions = () => import('../actions/segments.ts');

export function registerSegmentCommands(program: Command, globals: () => GlobalOptions): void {
  const segments = program
    .command('segments')
    .description(
      'Segments: list, preview, explain, validate, save, values, init, snapshot, history, columns',
    );

  segments
    .command('list')
    .description(
      'List the saved segments: size now, size at the last publish and the change, size at the last builds ' +
        '(a sparkline, first → last), and the Klaviyo list each feeds (exit 2 when a segment file has problems)',
    )
    .action(async () => (await actions()).list(globals()));

  segments
    .command('preview <segment>')
    .description(
      'Preview a saved segment (NAME) or a YAML file (FILE): count, funnel, breakdowns, overlap, sample',
    )
    .option(
      '-b, --breakdown <columns...>',
      'columns to break down by (default: lifecycle_stage customer_value_tier channels_count winback_stage)',
    )
    .option('-n, --sample <n>', 'members to show', '10')
    .option('--no-changes', 'skip the comparison with the last snapshot')
    .action(async (segment: string, options: { breakdown?: string[]; sample: string; changes: boolean }) =>
      (await actions()).preview(globals(), segment, options),
    );

  segments
    .command('explain <segment>')
    .description(
      'Explain why a customer is in or out of a segment, and why they entered or left since the last publish',
    )
    .requiredOption('-c, --customer <emailOrId>', 'customer email or customer_id')
    .action(async (segment: string, options: { customer: string }) =>
      (await actions()).explain(globals(), segment, options),
    );

  segments
    .command('validate')
    .description(
      'Check every file in segments/ against the schema and the columns of dim_customers (exit 2 on problems)',
    )
    .action(async () => (await actions()).validate(globals()));

  segments
    .command('save [source]')
    .description(
      'Write a segment file from a YAML file (SOURCE) or standard input (- or nothing), checked like a preview ' +
        '(schema, columns, values, expert rules, list names). A new segment goes to segments/<name>.yaml, which ' +
        'must not exist yet; to replace a file, give the content hash it had when you read it (--over): if it ' +
        'changed since, nothing is written (exit 2, the conflict names the hash to save over it on purpose)',
    )
    .option('--file <name.yaml>', 'the file in segments/ to write (default: <name>.yaml)')
    .option(
      '--over <contentHash>',
      'replace the file only if its sha256 is still this (save and its conflict print it: the sha256 of the file)',
    )
    .action(async (source: string | undefined, options: { file?: string; over?: string }) =>
      (await actions()).save(globals(), source ?? '-', options),
    );

  segments
    .command('values <column>')
    .description(
      'What a dim_customers column holds, as the rule builder offers it: common values with counts (categories, ' +
        'lists), range and quantiles (numbers), range and "in the last N days" counts (dates)',
    )
    .action(async (column: string) => (await actions()).values(globals(), column));

  segments
    .command('init')
    .description("Copy the built-in templates (the concept's segments) into the workspace's segments/ folder")
    .option('--only <names...>', 'copy only these templates')
    .option('--force', 'overwrite segment files that exist already', false)
    .action(async (options: { only?: string[]; force: boolean }) =>
      (await actions()).init(globals(), options),
    );

  segments
    .command('snapshot <segment>')
    .description(
      'Record the current membership as a snapshot (the Klaviyo list sync records one after each publish; ' +
        'take one by hand to compare with later, e.g. before a campaign)',
    )
    .option('--note <text>', 'why the snapshot was taken')
    .action(async (segment: string, options: { note?: string }) =>
      (await actions()).snapshot(globals(), segment, options),
    );

  segments
    .command('history <segment>')
    .description('List the snapshots of a segment, newest first')
    .action(async (segment: string) => (await actions()).history(globals(), segment));

  segments
    .command('columns')
    .description('List the dim_customers columns that rules can use, with their operators')
    .action(async () => (await actions()).columns(globals()));
}
