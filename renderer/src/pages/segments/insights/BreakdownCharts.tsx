import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SegmentBreakdown } from '../../../../../core/api/schemas/segmentInsights.ts';
import type { SegmentPreview } from '../../../api/types.ts';
import type { BarDatum } from '../../../components/BarChartView.tsx';
import { ChartFigure } from '../../../components/ChartFigure.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { Panel } from '../../../components/Panel.tsx';
import { ErrorState, Loading } from '../../../components/StateViews.tsx';
import { useFormat } from '../../../format/format.ts';
import { KIND_ORDER } from '../catalogue.ts';
import { useSegmentColumns } from '../editorQueries.ts';
import { binLabel, valueLabel } from './breakdownLabels.ts';
import { InsightBars } from './InsightBars.tsx';
import { useSegmentBreakdown } from './insightQueries.ts';
import type { DraftInput } from './SegmentInsights.tsx';

const TOP = 10;
const BINS = 10;

/**
 * The members by lifecycle stage, value tier, channels and winback stage (the preview's breakdowns, already on
 * screen) and by one column the user picks (segments.breakdown: top values + other, or bins).
 */
export function BreakdownCharts({
  draft,
  preview,
}: {
  draft: DraftInput | null;
  preview: SegmentPreview | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Panel
      title={t('segmentInsights.breakdown.title')}
      description={t('segmentInsights.breakdown.description')}
    >
      <div className="insights__charts">
        {preview ? (
          preview.breakdowns.map((b) => (
            <BreakdownFigure
              key={b.column}
              column={b.column}
              data={[
                ...b.values.map((v, i) => ({
                  key: `v${i}`,
                  label: valueLabel(b.column, v.value, t, format),
                  value: v.count,
                })),
                ...(b.other
                  ? [{ key: 'other', label: t('segmentInsights.breakdown.other'), value: b.other }]
                  : []),
              ]}
            />
          ))
        ) : (
          <Loading rows={3} />
        )}
      </div>
      <PickedBreakdown draft={draft} />
    </Panel>
  );
}

function BreakdownFigure({ column, data }: { column: string; data: BarDatum[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div className="insights__chart" data-testid={`breakdown-${column}`}>
      <h3 className="insights__card-title" translate="no">
        {column}
      </h3>
      <ChartFigure
        summary={t('segmentInsights.breakdown.summary', { column })}
        chart={<InsightBars data={data} format={format.integer} />}
        table={
          <DataTable
            caption={t('segmentInsights.breakdown.summary', { column })}
            captionHidden
            rows={data}
            rowKey={(d) => d.key}
            columns={[
              {
                key: 'value',
                header: t('segmentInsights.breakdown.value'),
                cell: (d) => <span translate="no">{d.label}</span>,
              },
              {
                key: 'count',
                header: t('segmentInsights.breakdown.members'),
                numeric: true,
                cell: (d) => format.integer(d.value),
              },
            ]}
          />
        }
      />
    </div>
  );
}

function pickedData(
  result: SegmentBreakdown,
  t: ReturnType<typeof useTranslation>['t'],
  format: ReturnType<typeof useFormat>,
): BarDatum[] {
  const buckets = result.buckets.map((b, i) => ({
    key: `b${i}`,
    label:
      result.shape === 'bins'
        ? binLabel(b, result.kind, format)
        : valueLabel(result.column, b.value, t, format),
    value: b.count,
  }));
  return [
    ...buckets,
    ...(result.other
      ? [{ key: 'other', label: t('segmentInsights.breakdown.other'), value: result.other }]
      : []),
    ...(result.empty
      ? [{ key: 'empty', label: t('segmentInsights.breakdown.empty'), value: result.empty }]
      : []),
  ];
}

function PickedBreakdown({ draft }: { draft: DraftInput | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [column, setColumn] = useState('');
  // The same catalogue the rule builder offers (segments.columns, cached by the query client).
  const catalogue = useSegmentColumns();
  const groups = useMemo(
    () =>
      KIND_ORDER.map((kind) => ({
        kind,
        columns: (catalogue.data ?? []).filter((c) => c.kind === kind),
      })).filter((g) => g.columns.length),
    [catalogue.data],
  );
  const breakdown = useSegmentBreakdown(column && draft ? { ...draft, column, top: TOP, bins: BINS } : null);
  const shown = breakdown.data && breakdown.data.column === column ? breakdown.data : undefined;
  return (
    <div className="insights__picked">
      <label className="field">
        <span className="field__label">{t('segmentInsights.breakdown.pick')}</span>
        <select className="input" value={column} onChange={(event) => setColumn(event.target.value)}>
          <option value="">{t('segmentInsights.breakdown.pickNone')}</option>
          {groups.map((g) => (
            <optgroup key={g.kind} label={t(`segments.kind.${g.kind}`)}>
              {g.columns.map((c) => (
                <option key={c.name} value={c.name} translate="no">
                  {c.name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {!column ? null : breakdown.isError ? (
        <ErrorState
          title={t('segmentInsights.breakdown.error')}
          error={breakdown.error}
          onRetry={() => void breakdown.refetch()}
        />
      ) : shown ? (
        <>
          <p className="note">
            {shown.shape === 'bins'
              ? t('segmentInsights.breakdown.binsNote', { members: format.integer(shown.members) })
              : t('segmentInsights.breakdown.topNote', { members: format.integer(shown.members), top: TOP })}
          </p>
          <BreakdownFigure column={shown.column} data={pickedData(shown, t, format)} />
        </>
      ) : (
        <Loading rows={3} />
      )}
    </div>
  );
}
