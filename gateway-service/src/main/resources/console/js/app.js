// The console's router: #/runs, #/runs/{id}, #/workers; the login form while no key is stored in this tab.
import { onUnauthorized, session } from './api.js';
import { loginPage } from './login.js';
import { runPage } from './run.js';
import { runsPage } from './runs.js';
import { workersPage } from './workers.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const logout = document.getElementById('logout');
let page = null;
let loginMessage = null;

function route() {
  page?.dispose?.();
  page = null;
  const signedIn = Boolean(session.key());
  nav.hidden = !signedIn;
  logout.hidden = !signedIn;
  if (!signedIn) {
    page = loginPage(main, { message: loginMessage, onSignedIn: route });
    loginMessage = null;
    return;
  }
  const hash = location.hash || '#/runs';
  const run = /^#\/runs\/([^/?]+)$/.exec(hash);
  const section = run || hash.startsWith('#/runs') ? 'runs' : hash.startsWith('#/workers') ? 'workers' : 'runs';
  for (const link of nav.querySelectorAll('a')) {
    link.classList.toggle('active', link.dataset.nav === section);
  }
  if (run) page = runPage(main, decodeURIComponent(run[1]));
  else if (section === 'workers') page = workersPage(main);
  else page = runsPage(main);
}

onUnauthorized(() => {
  session.clear();
  loginMessage = 'The gateway no longer accepts the key: log in again.';
  route();
});
logout.addEventListener('click', () => {
  session.clear();
  route();
});
window.addEventListener('hashchange', route);
route();
