import type { ReactNode } from 'react';

/**
 * A wrapper that scrolls a wide table sideways. It is focusable and named, so keyboard users can scroll it
 * with the arrow keys (WCAG 2.1.1; axe-core "scrollable-region-focusable").
 */
export function ScrollRegion({
  label,
  children,
  className,
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={`table-wrap${className ? ` ${className}` : ''}`}
      tabIndex={0}
      role="region"
      aria-label={label}
    >
      {children}
    </div>
  );
}
