import type { DemoContext } from './context.ts';

/**
 * Source ids as SQL expressions of the generator's internal keys (person id, order key). Every module
 * derives ids through these, so a shipment's order_id or an event's profile_id always points at a row
 * that exists, without joins on strings. Internal keys: `pid` (person), `okey = pid * 128 + k` (k-th
 * order of the person).
 */
export const shopifyCustomerIdSql = (pid: string, duplicate: string | number = 0): string =>
  `(7700000000000 + (${pid})::BIGINT * 10 + ${duplicate})`;

export const shopifyOrderIdSql = (okey: string): string => `(5600000000000 + (${okey})::BIGINT)`;

export const shopifyLineIdSql = (okey: string, lineNo: string): string =>
  `(14300000000000 + (${okey})::BIGINT * 8 + ${lineNo})`;

/** '30x-1234567-1234567': 14 scrambled digits are unique per order key. */
export function amazonOrderIdSql(ctx: DemoContext, okey: string): string {
  const digits = `lpad(scramble(${okey}, 14, ${ctx.offset(1)})::VARCHAR, 14, '0')`;
  return `('30' || ((${okey}) % 5 + 2)::VARCHAR || '-' || substr(${digits}, 1, 7) || '-' || substr(${digits}, 8, 7))`;
}

/** Amazon hides the buyer behind a relay address that stays the same for that buyer. */
export const amazonRelayEmailSql = (ctx: DemoContext, pid: string): string =>
  `(substr(md5('relay:${ctx.seed}:' || (${pid})::VARCHAR), 1, 15) || '@marketplace.amazon.de')`;

/** Klaviyo ids look like ULIDs (26 upper-case characters starting with 01). */
export const klaviyoProfileIdSql = (ctx: DemoContext, pid: string): string =>
  `('01' || upper(substr(md5('klaviyo:${ctx.seed}:' || (${pid})::VARCHAR), 1, 24)))`;

export const zendeskUserIdSql = (pid: string): string => `(381000000000 + (${pid})::BIGINT * 10)`;
