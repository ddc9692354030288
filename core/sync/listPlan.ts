import { basename, extname } from 'node:path';
import type { Database } from '../db/duckdb.ts';
import {
  definitionHash,
  formatProblem,
  healthUse,
  type SegmentEngine,
  type SegmentProblem,
} from '../segments/index.ts';
import type { ListsConfig } from './config.ts';
import { inRetryScope } from './retryScope.ts';
import { SyncConfigError } from './sourceModel.ts';

/**
 * The list diff (SPEC §7 mirror mode): a segment's current members against the members this tool added to
 * its Klaviyo list. Members someone else added in Klaviyo are never in `c360.sync_list_members`, so mirror
 * mode cannot remove them. Rows stay in `temp.c360_plan_list_members` for the apply step.
 */

export interface ListPlan {
  sync: 'lists';
  /** The segment. */
  target: string;
  listName: string;
  listId: string | null;
  members: number;
  heldOut: number;
  add: number;
  remove: number;
  unchanged: number;
  retrying: number;
  /** Members this tool added before (the base of the removal guardrail). */
  previousMembers: number;
  /** Declared sensitive, or reads health-tagged data (segments/sensitivity.ts). */
  sensitive: boolean;
  /** What tagged data it reads, and the columns a member must have true. */
  health: { reads: string[]; consentColumns: string[] };
  definitionHash: string;
  publishedDefinitionHash: string | null;
  /** Why this segment cannot be published at all (then nothing is planned for it). */
  refused: string | null;
  /**
   * The saved segment cannot be compiled (a typo'd column, invalid YAML, …): its problems. Nothing is planned or
   * sent for it and its target fails, so a broken segment never looks like a list that is up to date.
   */
  broken: string | null;
  samples: { add: string[]; remove: string[] };
  digest: string;
}

export function listNameFor(config: ListsConfig, segment: string, klaviyoList?: string): string {
  return `${config.list_prefix}${klaviyoList ?? segment}`;
}

/** The segments the lists sync publishes, and the saved ones among them that cannot be compiled. */
export interface SegmentSelection {
  /** In the order configured (all: by name), broken ones included. */
  segments: string[];
  /** Segment (or, when the file names none readably, its file's name) → what is wrong with it. */
  broken: Map<string, string>;
}

/**
 * The name a broken segment goes by: the name it declares when the problem knows it (a compile error), else its
 * file's name (YAML that does not parse names no segment; segment files are named after their segment).
 */
function brokenName(problem: SegmentProblem): string | undefined {
  if (problem.segment) return problem.segment;
  return problem.file ? basename(problem.file, extname(problem.file)) : undefined;
}

/**
 * The segments the lists sync publishes (config, narrowed by --segment). A saved segment the engine could not
 * load is not silently left out (its list would quietly stop updating): it is selected as broken, and its
 * target fails. Only a name that is neither saved nor a broken file is a configuration error.
 */
export function selectSegments(
  engine: SegmentEngine,
  config: ListsConfig,
  only?: string[],
): SegmentSelection {
  const saved = engine.segments.map((s) => s.definition.name).sort();
  const problems = new Map<string, SegmentProblem[]>();
  for (const problem of engine.problems) {
    const name = brokenName(problem);
    if (name && !saved.includes(name)) problems.set(name, [...(problems.get(name) ?? []), problem]);
  }
  const known = (name: string) => saved.includes(name) || problems.has(name);
  const configured = config.segments === 'all' ? [...saved, ...problems.keys()].sort() : config.segments;
  const unknown = [...configured, ...(only ?? [])].filter((name) => !known(name));
  if (unknown.length)
    throw new SyncConfigError(
      `Unknown segment${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Saved segments: ${
        saved.join(', ') || 'none (run `c360 segments init`)'
      }`,
    );
  const selected = only?.length ? configured.filter((n) => only.includes(n)) : configured;
  const broken = new Map<string, string>();
  for (const name of selected) {
    const found = problems.get(name);
    if (found) broken.set(name, found.map(formatProblem).join('\n'));
  }
  return { segments: selected, broken };
}

/** The plan of a saved segment that cannot be compiled: nothing to send, and the reason its target fails. */
export async function planBrokenList(
  db: Database,
  config: ListsConfig,
  segment: string,
  problems: string,
): Promise<ListPlan> {
  const [linked] = await db.queryJson(`select list_id, list_name from c360.sync_lists where segment = $1`, [
    segment,
  ]);
  return {
    sync: 'lists',
    target: segment,
    listName: linked ? String(linked.list_name) : listNameFor(config, segment),
    listId: linked ? String(linked.list_id) : null,
    members: 0,
    heldOut: 0,
    add: 0,
    remove: 0,
    unchanged: 0,
    retrying: 0,
    previousMembers: 0,
    sensitive: false,
    health: { reads: [], consentColumns: [] },
    definitionHash: '',
    publishedDefinitionHash: null,
    refused: null,
    broken:
      `the saved segment ${segment} cannot be compiled, so its Klaviyo list is not updated:\n${problems}\n` +
      'Fix the segment file (`c360 segments validate` lists every problem), then sync again.',
    samples: { add: [], remove: [] },
    // The problems are part of the plan: fixing one changes it.
    digest: `broken:${problems}`,
  };
}

export async function prepareListPlanTable(db: Database): Promise<void> {
  await db.run(`create or replace temp table c360_plan_list_members (
    segment varchar, email varchar, customer_id varchar, action varchar)`);
}

export async function planList(
  db: Database,
  engine: SegmentEngine,
  config: ListsConfig,
  segment: string,
  options: { retry?: boolean } = {},
): Promise<ListPlan> {
  const members = await engine.listMembers(segment);
  const definition = members.definition;
  if (engine.catalogue.docsProblem)
    throw new SyncConfigError(
      `The model docs could not be read, so it is unknown which columns hold health data; fix them before publishing lists:\n${engine.catalogue.docsProblem}`,
    );
  const health = healthUse(definition, engine.catalogue, engine.set.expertSql, engine.set.saved);
  const [linked] = await db.queryJson(
    `select list_id, list_name, published_definition_hash from c360.sync_lists where segment = $1`,
    [segment],
  );
  const base = {
    sync: 'lists' as const,
    target: segment,
    listName: linked ? String(linked.list_name) : listNameFor(config, segment, definition.klaviyo_list),
    listId: linked ? String(linked.list_id) : null,
    sensitive: health.sensitive,
    health: { reads: health.reads.map((r) => r.what), consentColumns: health.consentColumns },
    // Approval covers the consent rule: consent columns the tags add (beyond the file's) are part of it.
    definitionHash: [
      definitionHash(definition),
      ...health.consentColumns.filter((c) => c !== definition.consent_column),
    ].join('+'),
    publishedDefinitionHash: linked?.published_definition_hash
      ? String(linked.published_definition_hash)
      : null,
  };
  if (definition.include_non_marketable) {
    return {
      ...base,
      members: 0,
      heldOut: 0,
      add: 0,
      remove: 0,
      unchanged: 0,
      retrying: 0,
      previousMembers: 0,
      broken: null,
      refused:
        'include_non_marketable: true makes it an analysis segment: customers without consent cannot be put on a Klaviyo list',
      samples: { add: [], remove: [] },
      digest: '0',
    };
  }
  // The same membership as the build's seg_<name> table (engine.listMembers), so the list is what the table shows.
  await db.run(
    `create or replace temp table c360_plan_list_current as
     select customer_id, is_holdout, email from (${members.sql})`,
    members.values as never[],
  );
  await db.run(
    `insert into c360_plan_list_members
     select $1, email, min(customer_id), 'add' from c360_plan_list_current
       where not is_holdout and email is not null
         and email not in (select email from c360.sync_list_members where segment = $1)
       group by email
     union all
     select $1, email, null, 'remove' from c360.sync_list_members
       where segment = $1 and email not in (select email from c360_plan_list_current where not is_holdout and email is not null)`,
    [segment],
  );
  // A retry (retryScope.ts) adds the members Klaviyo rejected and still belong in the list, nothing else.
  if (options.retry)
    await db.run(
      `delete from c360_plan_list_members where segment = $1
       and not (action = 'add' and ${inRetryScope('lists', 'email', '$1')})`,
      [segment],
    );
  const [counts] = await db.queryJs(
    `select
       (select count(distinct email) from c360_plan_list_current where not is_holdout and email is not null) as members,
       (select count(*) from c360_plan_list_current where is_holdout) as held_out,
       (select count(*) from c360.sync_list_members where segment = $1) as previous,
       count(*) filter (where action = 'add') as adds,
       count(*) filter (where action = 'remove') as removes,
       count(*) filter (where action = 'add' and email in
         (select item_key from c360.sync_failures where sync = 'lists' and target = $1)) as retrying,
       coalesce(sum(hash(email || '|' || action)::hugeint), 0)::varchar as digest
     from c360_plan_list_members where segment = $1`,
    [segment],
  );
  const sample = async (action: string) =>
    (
      await db.queryJson(
        `select email from c360_plan_list_members where segment = $1 and action = $2 order by email limit 5`,
        [segment, action],
      )
    ).map((r) => String(r.email));
  const memberCount = Number(counts?.members ?? 0);
  const adds = Number(counts?.adds ?? 0);
  const plan: ListPlan = {
    ...base,
    members: memberCount,
    heldOut: Number(counts?.held_out ?? 0),
    add: adds,
    remove: config.mirror ? Number(counts?.removes ?? 0) : 0,
    unchanged: memberCount - adds,
    retrying: Number(counts?.retrying ?? 0),
    previousMembers: Number(counts?.previous ?? 0),
    refused: null,
    broken: null,
    samples: { add: await sample('add'), remove: config.mirror ? await sample('remove') : [] },
    digest: `${counts?.digest ?? '0'}:${base.definitionHash}`,
  };
  if (!config.mirror)
    await db.run(`delete from c360_plan_list_members where segment = $1 and action = 'remove'`, [segment]);
  return plan;
}
