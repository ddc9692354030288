import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BarDatum } from '../../../components/BarChartView.tsx';
import { CHART_COLORS } from '../../../components/chartColors.ts';

const ROW_HEIGHT = 28;

/** Width of a 12 px label character (an average; the tick cuts by characters, not by measuring). */
const CHAR_WIDTH = 7;
const MIN_LABEL_WIDTH = 60;
/** Widest the label column gets; a longer label ends in an ellipsis, its full text on hover. */
export const MAX_LABEL_WIDTH = 200;

/** The label column's width for these labels, and how many characters fit in it. */
export function labelColumn(labels: readonly string[]): { width: number; chars: number } {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  const width = Math.min(MAX_LABEL_WIDTH, Math.max(MIN_LABEL_WIDTH, longest * CHAR_WIDTH + 12));
  return { width, chars: Math.floor((width - 12) / CHAR_WIDTH) };
}

/** A label cut to `chars` characters with an ellipsis (the whole label when it fits). */
export function fitLabel(label: string, chars: number): string {
  return label.length <= chars ? label : `${label.slice(0, Math.max(1, chars - 1))}…`;
}

/**
 * A category tick written as it is, cut to the label column with its full text as the hover title: recharts
 * measures ticks in a span on the page, data left outside the chart.
 */
function PlainTick({
  x,
  y,
  payload,
  chars,
}: {
  x?: number;
  y?: number;
  payload?: { value?: unknown };
  chars: number;
}) {
  const label = String(payload?.value ?? '');
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill={CHART_COLORS.axis} fontSize={12}>
      <title>{label}</title>
      {fitLabel(label, chars)}
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
  const labels = labelColumn(data.map((d) => d.label));
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
          width={labels.width}
          interval={0}
          tick={<PlainTick chars={labels.chars} />}
          stroke={CHART_COLORS.axis}
        />
        <Tooltip formatter={(value) => format(Number(value))} cursor={{ fill: '#f3f4f6' }} />
        <Bar dataKey="value" fill={CHART_COLORS.accent} radius={[0, 3, 3, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
