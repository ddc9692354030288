import { useTranslation } from 'react-i18next';
import { Line, LineChart, Tooltip, YAxis } from 'recharts';
import type { SegmentListWithHistory } from '../../../api/types.ts';
import { CHART_COLORS } from '../../../components/chartColors.ts';
import { useFormat } from '../../../format/format.ts';

type SizePoint = SegmentListWithHistory['segments'][number]['history'][number];

const WIDTH = 120;
const HEIGHT = 32;

/**
 * A segment's size at its last builds (members on the list), as a small line without axes. The chart is one
 * image for screen readers: its label says how many builds it covers and the first and last size. Fixed size,
 * so a long list does not start one ResizeObserver per row.
 */
export function SizeSparkline({ segment, history }: { segment: string; history: SizePoint[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (history.length === 0) return <span className="muted">{t('segmentList.history.none')}</span>;
  const first = history[0]!;
  const last = history[history.length - 1]!;
  if (history.length === 1)
    return (
      <span className="muted" data-size-history={segment} data-points={1}>
        {t('segmentList.history.one', { date: format.date(last.asOf) })}
      </span>
    );
  const label = t('segmentList.history.label', {
    count: history.length,
    from: format.integer(first.members),
    to: format.integer(last.members),
    fromDate: format.date(first.asOf),
    toDate: format.date(last.asOf),
  });
  const data = history.map((point) => ({ ...point, label: format.date(point.asOf) }));
  return (
    <div
      className="sparkline"
      role="img"
      aria-label={label}
      title={label}
      data-size-history={segment}
      data-points={history.length}
    >
      <LineChart width={WIDTH} height={HEIGHT} data={data} margin={{ top: 3, right: 3, bottom: 3, left: 3 }}>
        <YAxis hide domain={['dataMin', 'dataMax']} />
        <Tooltip
          formatter={(value) => format.integer(Number(value))}
          labelFormatter={(_, payload) => String(payload?.[0]?.payload?.label ?? '')}
          cursor={false}
        />
        <Line
          type="monotone"
          dataKey="members"
          name={t('segmentList.history.members')}
          stroke={CHART_COLORS.accent}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
