import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../core/segments/definition.ts';
import { parseSegmentYaml } from '../../core/segments/segmentFiles.ts';
import { crossSegmentProblems } from '../../core/segments/segmentSet.ts';

/** Two saved segments that feed one Klaviyo list are a problem of both, at the line that names the list. */
const file = (name: string, list?: string) =>
  parseSegmentYaml(
    `name: ${name}\n${list ? `klaviyo_list: ${list}\n` : ''}rules:\n  - column: total_orders\n    op: '>='\n    value: 1\n`,
    `/ws/segments/${name}.yaml`,
  );

describe('segments that feed the same Klaviyo list', () => {
  it('are a problem of each, with file:line, both names and what to do', () => {
    const problems = crossSegmentProblems([
      file('winback_candidates', 'Winback candidates'),
      file('winback_copy', 'Winback candidates'),
      file('vip_customers', 'VIP customers'),
    ]).map(formatProblem);
    expect(problems).toEqual([
      "/ws/segments/winback_candidates.yaml:2:15: klaviyo_list: winback_candidates feeds the Klaviyo list 'Winback candidates' like winback_copy (winback_copy.yaml): each list sync would replace the other's members. Give each segment its own list: e.g. klaviyo_list: winback_candidates here",
      "/ws/segments/winback_copy.yaml:2:15: klaviyo_list: winback_copy feeds the Klaviyo list 'Winback candidates' like winback_candidates (winback_candidates.yaml): each list sync would replace the other's members. Give each segment its own list: e.g. klaviyo_list: winback_copy here",
    ]);
  });

  it('count a list named after a segment: the list name is the segment name unless klaviyo_list says otherwise', () => {
    const problems = crossSegmentProblems([file('vip', undefined), file('vip_gold', 'vip')]);
    expect(problems.map((p) => [p.segment, p.path, p.line])).toEqual([
      ['vip', 'name', 1],
      ['vip_gold', 'klaviyo_list', 2],
    ]);
    expect(problems[0]!.message).toMatch(/change the klaviyo_list of vip_gold$/);
  });

  it('are no problem when every list name differs', () => {
    expect(crossSegmentProblems([file('a', 'Shared'), file('b'), file('c', 'C')])).toEqual([]);
  });
});
