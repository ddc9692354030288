import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { i18n as I18n } from 'i18next';
import { I18nextProvider } from 'react-i18next';
import { ClientProvider } from './api/clientContext.tsx';
import type { C360Client } from './api/types.ts';
import { CustomersPage } from './pages/customers/CustomersPage.tsx';
import { OverviewPage } from './pages/overview/OverviewPage.tsx';
import { PublishPage } from './pages/publish/PublishPage.tsx';
import { RunsPage } from './pages/runs/RunsPage.tsx';
import { SegmentsRoute } from './pages/segments/SegmentsRoute.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { Shell } from './shell/Shell.tsx';
import { useRoute } from './shell/route.ts';

/** The app's query cache: one retry (a transient network hiccup), no refetch on every window focus. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 30_000 },
    },
  });
}

/** Everything the app needs comes in as props, so tests render it with a fake client and any language. */
export function App({
  client,
  i18n,
  queryClient,
}: {
  client: C360Client;
  i18n: I18n;
  queryClient: QueryClient;
}) {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <ClientProvider client={client}>
          <Routes />
        </ClientProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}

function Routes() {
  const route = useRoute();
  return (
    <Shell route={route}>
      {route.page === 'customers' ? (
        <CustomersPage customerId={route.customerId} />
      ) : route.page === 'segments' ? (
        <SegmentsRoute segment={route.segment} />
      ) : route.page === 'publish' ? (
        <PublishPage
          key={`${route.segment ?? ''}|${route.retry ?? ''}`}
          segment={route.segment}
          retry={route.retry ?? null}
        />
      ) : route.page === 'runs' ? (
        <RunsPage runId={route.runId} />
      ) : route.page === 'settings' ? (
        <SettingsPage />
      ) : (
        <OverviewPage />
      )}
    </Shell>
  );
}
