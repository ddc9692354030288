/**
 * Chart colours as SVG attributes (recharts props), not inline styles. One calm accent for single series,
 * a muted neutral for secondary series; all reach 3:1 against the white panel (WCAG 1.4.11 non-text contrast).
 */
export const CHART_COLORS = {
  accent: '#4f46e5',
  secondary: '#0e7490',
  grid: '#e5e7eb',
  axis: '#6b7280',
} as const;
