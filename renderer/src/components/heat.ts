/**
 * Heat-map cells get one of six classes (heat-0 … heat-5) rather than a computed inline colour, so the look
 * lives in the stylesheet and each step keeps readable text contrast.
 */
export function heatClass(value: number, max: number): string {
  if (!(max > 0) || value <= 0) return 'heat-0';
  const step = Math.min(5, Math.max(1, Math.ceil((value / max) * 5)));
  return `heat-${step}`;
}
