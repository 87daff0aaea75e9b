// Start: theme, the live socket, the app, and the service worker.
import { html, render } from './lib/ui.js';
import { App } from './app.js';
import { live } from './core/live.js';

const theme = localStorage.getItem('pp_theme');
if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;

live.start();
render(html`<${App} />`, document.getElementById('app'));

if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => navigator.serviceWorker.register('/sw.js').catch(() => {}));
}
