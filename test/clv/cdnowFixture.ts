import { readFileSync } from 'node:fs';

export interface CdnowSummary {
  frequency: number[];
  recency: number[];
  T: number[];
  /** Average value of the repeat transactions; 0 for customers without any. */
  averageSpend: number[];
}

/** The CDNOW calibration summary (2,357 customers, weeks) from test/fixtures/cdnow/. */
export function loadCdnowSummary(): CdnowSummary {
  const path = new URL('../fixtures/cdnow/cdnow_customers_summary_with_transactions.csv', import.meta.url);
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  if (header !== 'ID,x,t_x,T,zbar') throw new Error(`unexpected CDNOW header: ${header}`);
  const summary: CdnowSummary = { frequency: [], recency: [], T: [], averageSpend: [] };
  for (const line of lines) {
    const [, x, tx, T, zbar] = line.split(',').map(Number) as [number, number, number, number, number];
    summary.frequency.push(x);
    summary.recency.push(tx);
    summary.T.push(T);
    summary.averageSpend.push(zbar);
  }
  return summary;
}
