import { useId, type ReactNode } from 'react';

/** A titled section of a page; its heading labels the region for screen-reader navigation. */
export function Panel({
  title,
  description,
  children,
  className,
  actions,
}: {
  title: string;
  description?: string;
  children: ReactNode;
  className?: string;
  actions?: ReactNode;
}) {
  const id = useId();
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={id}>
      <div className="panel__header">
        <div>
          <h2 id={id} className="panel__title">
            {title}
          </h2>
          {description ? <p className="panel__description">{description}</p> : null}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
