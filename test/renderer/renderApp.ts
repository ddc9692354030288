import { QueryClient } from '@tanstack/react-query';
import { render, type RenderResult } from '@testing-library/react';
import { createElement } from 'react';
import { App } from '../../renderer/src/App.tsx';
import type { C360Client } from '../../renderer/src/api/types.ts';
import { createI18n, type AnyLanguage } from '../../renderer/src/i18n/index.ts';

/** jsdom has no layout: recharts' ResponsiveContainer needs a ResizeObserver to exist, not to report. */
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

/** Renders the whole app (shell + routed page) in jsdom with a fake client, at `hash`, in `language`. */
export function renderApp(
  client: C360Client,
  { language = 'en', hash = '#/overview' } = {},
): RenderResult & {
  i18n: ReturnType<typeof createI18n>;
  queryClient: QueryClient;
} {
  globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;
  window.location.hash = hash;
  const i18n = createI18n(language as AnyLanguage);
  // No retries in tests: an error state should show at once.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const result = render(createElement(App, { client, i18n, queryClient }));
  return { ...result, i18n, queryClient };
}

/** Collapses the narrow no-break spaces Intl puts into numbers and currencies, so tests can write plain spaces. */
export function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/[\u00a0\u202f]/g, ' ');
}
