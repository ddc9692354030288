let cachedSecond = NaN;
let cachedText = '';

/** Klaviyo renders date-times to the second with an explicit offset: `2026-08-01T12:00:00+00:00`. */
export function klaviyoTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  // A 10,000-profile job stamps every profile within the same second or two; formatting once is enough.
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedText = new Date(second * 1000).toISOString().replace('.000Z', '+00:00');
  }
  return cachedText;
}

/** Parses an ISO-8601 date-time as sent by clients (UTC when it has no offset); NaN when it is not one. */
export function parseDateTime(value: string): number {
  const match = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    value,
  );
  if (!match) return NaN;
  const hasTime = value.length > 10;
  return Date.parse(
    hasTime && match[1] === undefined ? `${value.replace(' ', 'T')}Z` : value.replace(' ', 'T'),
  );
}
