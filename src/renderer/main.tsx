import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectToMain, type ConsoleClient } from './bridge/console-client';
import { I18nProvider, useI18n } from './i18n/i18n';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('The renderer document has no #root element.');

let client: ConsoleClient | null = null;
try {
  client = connectToMain();
} catch {
  // Opened without the web shell's token (or outside Electron): say how to get in instead of a blank page.
}

function NoBridge() {
  const { t } = useI18n();
  return (
    <main className="app-main">
      <p className="app-state app-state--error" role="alert">
        {t('app.noBridge')}
      </p>
    </main>
  );
}

createRoot(container).render(
  <StrictMode>
    <I18nProvider>{client ? <App client={client} /> : <NoBridge />}</I18nProvider>
  </StrictMode>,
);
