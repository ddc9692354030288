import { quoteIdent, type Database } from '../db/duckdb.ts';
import type { LoadedSegment } from './definition.ts';
import { compileOnBase, queryCompiled } from './insightSql.ts';
import { BASE_TABLE, type SegmentBit } from './projection.ts';
import type { SegmentSet } from './segmentSet.ts';

/**
 * The editor's overlap matrix: how many customers every pair of segments shares — the unsaved draft and the
 * saved segments (the draft in place of its saved version) — with the Jaccard index of each pair. Eligible
 * members before holdouts, as the preview's overlaps count them. One DuckDB query over the preview base: it
 * groups the customers by their membership bits (the saved segments' masks and the draft's condition), so it
 * returns one row per membership pattern, never a customer; the pairs are folded from those counts here.
 */

/** Segments in one matrix, the draft included: a square the editor can show and hover. */
export const MAX_MATRIX_SEGMENTS = 16;

export interface MatrixSegment {
  name: string;
  /** Eligible members (before holdouts). */
  size: number;
  isDraft: boolean;
}

export interface MatrixPair {
  /** Indexes into `segments`, a < b. */
  a: number;
  b: number;
  /** Customers in both. */
  overlap: number;
  /** overlap / customers in either. */
  jaccard: number;
}

export interface OverlapMatrix {
  /** The draft first, then the saved segments that share most customers with it (then by name). */
  segments: MatrixSegment[];
  /** Every pair once (a < b). */
  pairs: MatrixPair[];
  /** Saved segments left out beyond MAX_MATRIX_SEGMENTS (those sharing fewest customers with the draft). */
  omitted: number;
  /** Membership patterns the query returned (what the fold read instead of customers). */
  patterns: number;
  ms: number;
}

const toBig = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(String(v)));

export async function overlapMatrix(
  db: Database,
  set: SegmentSet,
  draft: LoadedSegment,
  savedName?: string,
): Promise<OverlapMatrix> {
  const started = performance.now();
  const on = await compileOnBase(db, set, [draft]);
  const replaced = new Set([draft.definition.name, savedName ?? draft.definition.name]);
  const others: SegmentBit[] = [...on.base.segments.values()].filter((s) => !replaced.has(s.name));
  const masks = on.base.maskColumns;
  const draftSql = `coalesce((${on.compiled[0]!.eligibleSql}), false)`;
  // Customers in no segment count nowhere: left out before grouping.
  const any = [draftSql, ...masks.map((m) => `${quoteIdent(m)} <> 0`)].join(' or ');
  const rows = await queryCompiled(
    db,
    on,
    `select ${[...masks.map(quoteIdent), `${draftSql} as in_draft`].join(', ')}, count(*) as n
     from temp.${BASE_TABLE} where ${any} group by all`,
  );

  // Membership of each pattern: index 0 the draft, then `others` in order.
  const all = [draft.definition.name, ...others.map((o) => o.name)];
  const size = new Array<number>(all.length).fill(0);
  const pair = all.map(() => new Array<number>(all.length).fill(0));
  for (const row of rows) {
    const n = Number(row.n);
    const members: number[] = [];
    if (row.in_draft === true) members.push(0);
    others.forEach((o, i) => {
      if ((toBig(row[o.column]) & o.bit) !== 0n) members.push(i + 1);
    });
    for (const [k, i] of members.entries()) {
      size[i]! += n;
      for (const j of members.slice(k + 1)) pair[i]![j]! += n;
    }
  }

  // The saved segments that share most with the draft; ties by name, so the same data shows the same square.
  const chosen = others
    .map((o, i) => ({ index: i + 1, name: o.name }))
    .sort((x, y) => pair[0]![y.index]! - pair[0]![x.index]! || x.name.localeCompare(y.name))
    .slice(0, MAX_MATRIX_SEGMENTS - 1)
    .map((c) => c.index);
  const indexes = [0, ...chosen];
  const pairs: MatrixPair[] = [];
  for (let a = 0; a < indexes.length; a++)
    for (let b = a + 1; b < indexes.length; b++) {
      const [i, j] = [indexes[a]!, indexes[b]!];
      const overlap = pair[Math.min(i, j)]![Math.max(i, j)]!;
      const union = size[i]! + size[j]! - overlap;
      pairs.push({ a, b, overlap, jaccard: union ? overlap / union : 0 });
    }
  return {
    segments: indexes.map((i) => ({ name: all[i]!, size: size[i]!, isDraft: i === 0 })),
    pairs,
    omitted: others.length - chosen.length,
    patterns: rows.length,
    ms: performance.now() - started,
  };
}
