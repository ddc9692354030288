import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BarDatum } from '../../../components/BarChartView.tsx';
import { CHART_COLORS } from '../../../components/chartColors.ts';

const ROW_HEIGHT = 28;

/** A category tick written as it is: recharts measures ticks in a span on the page, data left outside the chart. */
function PlainTick({ x, y, payload }: { x?: number; y?: number; payload?: { value?: unknown } }) {
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill={CHART_COLORS.axis} fontSize={12}>
      {String(payload?.value ?? '')}
    </text>
  );
}

/**
 * Horizontal bars, one row per value (components/BarChartView's vertical layout). Its labels are data (values,
 * segment names): every one is drawn (interval 0) and none is measured, because recharts measures text in a
 * span it adds to the page, outside the chart's `translate="no"`.
 */
export function InsightBars({ data, format }: { data: BarDatum[]; format: (value: number) => string }) {
  const height = Math.max(120, ROW_HEIGHT * data.length + 40);
  return (
    <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 480, height }}>
      <BarChart
        data={data}
        layout="vertical"
        margin={{ top: 8, right: 16, bottom: 4, left: 8 }}
        accessibilityLayer={false}
      >
        <CartesianGrid stroke={CHART_COLORS.grid} vertical horizontal={false} />
        <XAxis type="number" tickFormatter={format} stroke={CHART_COLORS.axis} fontSize={12} />
        <YAxis
          type="category"
          dataKey="label"
          width={130}
          interval={0}
          tick={<PlainTick />}
          stroke={CHART_COLORS.axis}
        />
        <Tooltip formatter={(value) => format(Number(value))} cursor={{ fill: '#f3f4f6' }} />
        <Bar dataKey="value" fill={CHART_COLORS.accent} radius={[0, 3, 3, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
