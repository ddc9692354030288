import type { GuardrailConfig } from './config.ts';
import type { EventsPlan } from './eventPlan.ts';
import type { ListPlan } from './listPlan.ts';
import { staleDataReason, type DataFreshness } from './preflight.ts';
import type { ProfilesPlan } from './profilePlan.ts';

/**
 * Guardrails block (SPEC §7): a run stops before its first write call when one trips, and goes ahead only
 * with an explicit approval. Pure: plan figures in, tripped guardrails out.
 */

export type SyncKind = 'profiles' | 'lists' | 'events';
export type TargetPlan = ProfilesPlan | ListPlan | EventsPlan;

export type GuardrailId =
  'empty_source' | 'profiles_changing' | 'list_removal' | 'list_emptied' | 'sensitive_segment' | 'stale_data';

export interface TrippedGuardrail {
  id: GuardrailId;
  sync: SyncKind;
  target: string;
  message: string;
}

const pct = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * `freshness` (preflight.ts) is the build history: stale data trips on every target that would send something,
 * since every target reads the same build.
 */
export function checkGuardrails(
  plans: TargetPlan[],
  config: GuardrailConfig,
  freshness: DataFreshness | null = null,
  options: { retry?: boolean } = {},
): TrippedGuardrail[] {
  const tripped: TrippedGuardrail[] = [];
  // A retry plan holds only rejected rows and never removes a member: an empty source or an emptied list is
  // what the full plan guards against, not this one (the other guardrails apply as ever).
  const retry = options.retry === true;
  const trip = (id: GuardrailId, plan: TargetPlan, message: string) =>
    tripped.push({ id, sync: plan.sync, target: plan.target, message });
  const stale = staleDataReason(freshness, config);
  for (const plan of plans) {
    // A refused or broken list sends nothing: there is nothing stale to approve.
    if (stale && !(plan.sync === 'lists' && (plan.refused || plan.broken))) trip('stale_data', plan, stale);
    if (plan.sync === 'profiles') {
      if (!retry && config.block_empty_source && plan.sourceRows === 0)
        trip('empty_source', plan, `${plan.target} has 0 rows: a broken build would look like this`);
      const changing = plan.update;
      if (
        plan.previouslySynced > 0 &&
        pct(changing, plan.previouslySynced) > config.max_profiles_changed_percent
      )
        trip(
          'profiles_changing',
          plan,
          `${fmt(changing)} of ${fmt(plan.previouslySynced)} synced profiles would change ` +
            `(${pct(changing, plan.previouslySynced).toFixed(1)} % > ${config.max_profiles_changed_percent} %)`,
        );
    } else if (plan.sync === 'events') {
      if (!retry && config.block_empty_source && plan.sourceRows === 0)
        trip('empty_source', plan, `${plan.target} has 0 rows: a broken build would look like this`);
    } else if (!plan.refused && !plan.broken) {
      if (plan.members === 0 && plan.previousMembers > 0) {
        if (config.block_emptied_list && !retry)
          trip(
            'list_emptied',
            plan,
            `list "${plan.listName}" would be emptied (${fmt(plan.previousMembers)} members removed)`,
          );
      } else if (!retry && config.block_empty_source && plan.members === 0)
        trip('empty_source', plan, `segment ${plan.target} has 0 members`);
      if (plan.members > 0 && pct(plan.remove, plan.previousMembers) > config.max_list_removal_percent)
        trip(
          'list_removal',
          plan,
          `${fmt(plan.remove)} of ${fmt(plan.previousMembers)} members would be removed from "${plan.listName}" ` +
            `(${pct(plan.remove, plan.previousMembers).toFixed(1)} % > ${config.max_list_removal_percent} %)`,
        );
      if (
        config.approve_sensitive_segments &&
        plan.sensitive &&
        plan.publishedDefinitionHash !== plan.definitionHash
      )
        trip(
          'sensitive_segment',
          plan,
          `${plan.target} is a sensitive (health) segment${
            plan.health.reads.length ? ` (reads ${plan.health.reads.join(', ')})` : ''
          } ${
            plan.publishedDefinitionHash
              ? 'whose definition changed since it was approved'
              : 'published for the first time'
          }: ${
            plan.health.consentColumns.length
              ? `only customers with ${plan.health.consentColumns.map((c) => `${c} = true`).join(' and ')} are members; `
              : ''
          }check its consent rule before it reaches Klaviyo`,
        );
    }
  }
  return tripped;
}
