// The labloop dashboard: plain ES modules served by the daemon (no build step, no CDN). One live event stream
// (server-sent events, resumed with Last-Event-ID) drives every page; pages re-read the REST API when an event
// concerns them. Steering buttons appear once an operator has signed in with a token.
import {
  appendEvent,
  renderAlarm,
  renderCampaign,
  renderCampaignList,
  renderEvents,
  renderInstruments,
} from './views.js';

const TOKEN_KEY = 'labloop.token';

export const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  who: null,
  events: [],
  lastEventId: 0,
  route: { page: 'home', id: null },
  refreshTimer: 0,
};

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    ...options,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new Error(body?.error?.message || `HTTP ${res.status}`);
    err.status = res.status;
    err.code = body?.error?.code;
    throw err;
  }
  return body;
}

export function notify(message, isError = false) {
  const n = document.getElementById('notice');
  n.textContent = message;
  n.className = isError ? 'error' : '';
}

export function canOperate() {
  return !!state.who && state.who.scopes.some((s) => s === 'operate' || s === 'admin');
}

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'campaigns' && parts[1]) return { page: 'campaign', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'campaigns') return { page: 'campaigns', id: null };
  if (parts[0] === 'instruments') return { page: 'instruments', id: null };
  if (parts[0] === 'events') return { page: 'events', id: null };
  return { page: 'home', id: null };
}

export async function render() {
  state.route = parseRoute();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const nav = a.getAttribute('data-nav');
    const page = state.route.page === 'campaign' ? 'home' : state.route.page;
    a.classList.toggle('active', nav === page);
  }
  const view = document.getElementById('view');
  renderAlarm().catch(() => undefined);
  try {
    if (state.route.page === 'campaigns') await renderCampaignList(view);
    else if (state.route.page === 'instruments') await renderInstruments(view);
    else if (state.route.page === 'events') renderEvents(view);
    else {
      let id = state.route.id;
      if (!id) {
        const list = await api('/api/campaigns');
        const active = [...list]
          .reverse()
          .find((c) => c.status === 'running' || c.status === 'paused' || c.status === 'held');
        id = (active || list[list.length - 1])?.id ?? null;
      }
      if (!id) {
        view.replaceChildren(
          h(
            'div',
            { class: 'panel empty' },
            'No campaign yet. Create one with the API or ',
            h('code', {}, 'labloop run'),
            '.',
          ),
        );
        return;
      }
      await renderCampaign(view, id, state.route.id === null);
    }
  } catch (e) {
    notify(e.message, true);
  }
}

/** Re-reads the current page soon (coalesces bursts of events into one refresh). */
export function scheduleRefresh(delay = 250) {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = 0;
    await render();
  }, delay);
}

async function refreshHealth() {
  const el = document.getElementById('health');
  try {
    const res = await fetch('/api/health', {
      headers: state.token ? { authorization: `Bearer ${state.token}` } : {},
    });
    const body = await res.json();
    el.textContent = `daemon ${body.status ?? 'unknown'}`;
    el.className = `health ${body.status ?? ''}`;
  } catch {
    el.textContent = 'daemon unreachable';
    el.className = 'health down';
  }
}

async function signIn(token) {
  state.token = token;
  if (!token) {
    state.who = null;
  } else {
    try {
      state.who = await api('/api/auth/whoami');
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (e) {
      state.who = null;
      state.token = '';
      sessionStorage.removeItem(TOKEN_KEY);
      notify(`sign-in refused: ${e.message}`, true);
    }
  }
  const who = document.getElementById('who');
  const form = document.getElementById('token-form');
  if (state.who) {
    who.hidden = false;
    who.replaceChildren(
      `signed in as ${state.who.name} (${state.who.scopes.join(', ')}) `,
      h('button', { type: 'button', onclick: () => signIn('').then(render) }, 'Sign out'),
    );
    form.hidden = true;
  } else {
    who.hidden = true;
    form.hidden = false;
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

function connectEvents() {
  const live = document.getElementById('live');
  const params = new URLSearchParams({ since: String(state.lastEventId) });
  if (state.token) params.set('access_token', state.token);
  const source = new EventSource(`/api/events?${params}`);
  source.onopen = () => {
    live.textContent = 'live';
    live.className = 'live on';
  };
  source.onerror = () => {
    live.textContent = 'reconnecting';
    live.className = 'live off';
  };
  source.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.id) state.lastEventId = Math.max(state.lastEventId, e.id);
    state.events.push(e);
    if (state.events.length > 1000) state.events.splice(0, state.events.length - 1000);
    appendEvent(e);
    if (e.type === 'instrument.status' || e.type === 'broker.status') refreshHealth();
    if (e.type === 'interlock.tripped' || e.type === 'interlock.reset') renderAlarm().catch(() => undefined);
    if (state.route.page === 'events') return;
    if (e.type === 'command.progress' || e.type === 'command.sent') return;
    scheduleRefresh();
  };
}

async function boot() {
  document.getElementById('token-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = document.getElementById('token-input');
    const token = input.value.trim();
    input.value = '';
    await signIn(token);
    await render();
  });
  window.addEventListener('hashchange', () => render());
  if (state.token) await signIn(state.token);
  try {
    state.events = await api('/api/events/log?last=200');
    state.lastEventId = state.events.reduce((m, e) => Math.max(m, e.id || 0), 0);
  } catch (e) {
    notify(`event log: ${e.message}`, true);
  }
  await Promise.all([refreshHealth(), render()]);
  connectEvents();
  setInterval(refreshHealth, 10_000);
}

boot();
