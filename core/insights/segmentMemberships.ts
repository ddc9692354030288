import type { Database } from '../db/duckdb.ts';
import type { SegmentProblem } from '../segments/definition.ts';
import { evaluateCustomer } from '../segments/explain.ts';
import type { SegmentSet } from '../segments/segmentSet.ts';
import type { CustomerProfile } from './schemas.ts';

/**
 * The profile's segment memberships: every usable saved segment evaluated for one customer by the segment
 * engine's explanation (core/segments/explain.ts evaluateCustomer), so "why" is the same funnel and rule tree
 * `c360 segments explain` shows. Broken segments are listed with their problem instead.
 */
export async function segmentMemberships(
  db: Database,
  customerId: string,
  segments: { set: SegmentSet; problems: SegmentProblem[] } | undefined,
): Promise<Pick<CustomerProfile, 'segments' | 'segmentProblems'>> {
  if (!segments) return { segments: [], segmentProblems: [] };
  const saved = [...segments.set.saved.values()].sort((a, b) =>
    a.definition.name.localeCompare(b.definition.name),
  );
  const memberships: CustomerProfile['segments'] = [];
  for (const segment of saved) {
    const evaluation = await evaluateCustomer(db, segments.set, segment, customerId);
    memberships.push({
      segment: segment.definition.name,
      description: segment.definition.description,
      member: evaluation.member,
      eligible: evaluation.eligible,
      failedStep: evaluation.failedStep,
      steps: evaluation.steps,
      rules: evaluation.rules,
    });
  }
  return {
    segments: memberships,
    segmentProblems: segments.problems.map((p) => ({ segment: p.segment ?? null, message: p.message })),
  };
}
