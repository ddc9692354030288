import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A chart with its data as a table one click away: the SVG is hidden from assistive technology (its
 * numbers are in the table, which screen readers and keyboard users open), and the caption names what the
 * chart shows. `translate="no"`: axis ticks are formatted data, not UI text.
 */
export function ChartFigure({
  summary,
  chart,
  table,
}: {
  summary: string;
  chart: ReactNode;
  table: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <figure className="chart">
      <div className="chart__canvas" aria-hidden="true" translate="no">
        {chart}
      </div>
      <figcaption className="visually-hidden">{summary}</figcaption>
      <details className="chart__table">
        <summary>{t('chart.showTable')}</summary>
        {table}
      </details>
    </figure>
  );
}
