import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_COLORS } from './chartColors.ts';

export interface BarDatum {
  key: string;
  label: string;
  value: number;
}

/**
 * A single-series bar chart. Sized by its container (ResizeObserver); `initialDimension` draws a first frame
 * before the observer reports, so the chart does not pop in.
 */
export function BarChartView({
  data,
  format,
  height = 220,
  color = CHART_COLORS.accent,
  layout = 'horizontal',
}: {
  data: BarDatum[];
  format: (value: number) => string;
  height?: number;
  color?: string;
  layout?: 'horizontal' | 'vertical';
}) {
  const vertical = layout === 'vertical';
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 480, height }}>
      <BarChart
        data={data}
        layout={vertical ? 'vertical' : 'horizontal'}
        margin={{ top: 8, right: 16, bottom: 4, left: vertical ? 8 : 0 }}
        accessibilityLayer={false}
      >
        <CartesianGrid stroke={CHART_COLORS.grid} vertical={vertical} horizontal={!vertical} />
        {vertical ? (
          <>
            <XAxis type="number" tickFormatter={format} stroke={CHART_COLORS.axis} fontSize={12} />
            <YAxis type="category" dataKey="label" width={110} stroke={CHART_COLORS.axis} fontSize={12} />
          </>
        ) : (
          <>
            <XAxis dataKey="label" stroke={CHART_COLORS.axis} fontSize={12} interval="preserveStartEnd" />
            <YAxis tickFormatter={format} stroke={CHART_COLORS.axis} fontSize={12} width={72} />
          </>
        )}
        <Tooltip formatter={(value) => format(Number(value))} cursor={{ fill: '#f3f4f6' }} />
        <Bar
          dataKey="value"
          fill={color}
          radius={vertical ? [0, 3, 3, 0] : [3, 3, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}
