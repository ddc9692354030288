import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, createQueryClient } from './App.tsx';
import { connect } from './api/connect.ts';
import { createI18n, initialLanguage } from './i18n/index.ts';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const i18n = createI18n(initialLanguage(window.localStorage, navigator.language));
const queryClient = createQueryClient();
// A workspace switch in the desktop app brings a new API port: refetch everything from the new workspace.
const client = connect(undefined, { onReconnect: () => void queryClient.resetQueries() });
createRoot(root).render(
  <StrictMode>
    <App client={client} i18n={i18n} queryClient={queryClient} />
  </StrictMode>,
);
