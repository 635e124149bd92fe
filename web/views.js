// The dashboard's pages. Each render reads the REST API; the campaign page keeps its DOM (and charts) while the
// same campaign stays on screen and only updates numbers, rows and chart data.
import { api, canOperate, h, notify, scheduleRefresh, state } from './app.js';
import { bestCurve, effect, forgetDetached, pareto, timeline } from './charts.js';

const fmt = (v) => {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
};
const badge = (status, extra = '') => h('span', { class: `badge ${status} ${extra}` }, status);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');
const duration = (a, b) => (a && b ? `${((Date.parse(b) - Date.parse(a)) / 1000).toFixed(1)} s` : '–');

// ---------------------------------------------------------------------------------------------- campaign list

export async function renderCampaignList(view) {
  const list = await api('/api/campaigns');
  forgetDetached();
  view.dataset.campaign = '';
  const rows = [...list].reverse().map((c) => {
    const [objective] = Object.keys(c.objectives || {});
    return h(
      'tr',
      {},
      h('td', {}, h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}` }, c.name)),
      h('td', {}, badge(c.status)),
      h('td', { class: 'num' }, `${c.experiments.completed}/${c.budget}`),
      h('td', { class: 'num' }, String(c.experiments.failed)),
      h(
        'td',
        { class: 'num' },
        c.best && objective ? `${fmt(c.best.values[objective]?.mean)} (#${c.best.seq})` : '–',
      ),
      h('td', {}, new Date(c.createdAt).toLocaleString()),
      h('td', { class: 'reason' }, c.reason || ''),
    );
  });
  view.replaceChildren(
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, `Campaigns (${list.length})`),
      list.length === 0
        ? h('div', { class: 'empty' }, 'No campaign yet.')
        : h(
            'table',
            { id: 'campaigns' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['name', 'status', 'completed', 'failed', 'best', 'created', 'reason'].map((t) =>
                  h('th', {}, t),
                ),
              ),
            ),
            h('tbody', {}, rows),
          ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------- campaign page

function skeleton(view, c) {
  const multi = Object.keys(c.objectives).length >= 2;
  view.dataset.campaign = c.id;
  view.replaceChildren(
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'head' },
        h('h1', { id: 'campaign-name' }, c.name),
        h('span', { id: 'campaign-status' }),
        h('span', { id: 'campaign-reason', class: 'muted' }),
        h('div', { id: 'controls', class: 'controls' }),
        h(
          'span',
          { class: 'muted' },
          h('a', { href: `/api/campaigns/${c.id}/report`, target: '_blank' }, 'report'),
          ' · export ',
          h('a', { href: `/api/campaigns/${c.id}/export?format=csv` }, 'CSV'),
          ' ',
          h('a', { href: `/api/campaigns/${c.id}/export?format=json` }, 'JSON'),
          ' ',
          h('a', { href: `/api/campaigns/${c.id}/export?format=ro-crate` }, 'RO-Crate'),
        ),
      ),
      h('div', { id: 'kpis', class: 'kpis' }),
      h('div', { class: 'progress' }, h('div', { id: 'progress-bar' })),
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Best so far'),
        h('div', { class: 'chart' }, h('canvas', { id: 'chart-best' })),
      ),
      multi
        ? h(
            'section',
            { class: 'panel' },
            h('h2', {}, 'Pareto front'),
            h('div', { class: 'chart' }, h('canvas', { id: 'chart-pareto' })),
          )
        : null,
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Instrument use'),
        h('div', { class: 'chart' }, h('canvas', { id: 'chart-timeline' })),
      ),
    ),
    h(
      'section',
      { class: 'panel spaced' },
      h('h2', {}, 'Objective against each parameter'),
      h('div', { id: 'effects', class: 'effects' }),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Experiments'),
      h('div', { class: 'scroll' }, h('table', { id: 'experiments' }, h('thead'), h('tbody'))),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Recent events'),
      h('table', { class: 'log', id: 'campaign-events' }, h('tbody')),
    ),
  );
}

function controls(c) {
  const box = document.getElementById('controls');
  if (!canOperate()) {
    box.replaceChildren(h('span', { class: 'muted' }, 'sign in with a token to steer'));
    return;
  }
  if (box.dataset.status === c.status && box.childElementCount > 0) return;
  box.dataset.status = c.status;
  const reason = h('input', { id: 'control-reason', placeholder: 'reason (optional)' });
  const act = (verb, confirmText) => async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      await api(`/api/campaigns/${c.id}/${verb}`, {
        method: 'POST',
        body: reason.value ? { reason: reason.value } : {},
      });
      notify(`${verb}: done`);
      box.dataset.status = '';
      scheduleRefresh(0);
    } catch (e) {
      notify(`${verb}: ${e.message}`, true);
    }
  };
  const s = c.status;
  box.replaceChildren(
    reason,
    h('button', { id: 'btn-pause', onclick: act('pause'), disabled: s !== 'running' }, 'Pause'),
    h(
      'button',
      { id: 'btn-resume', onclick: act('resume'), disabled: s !== 'paused' && s !== 'held' },
      'Resume',
    ),
    h(
      'button',
      { id: 'btn-hold', onclick: act('hold'), disabled: s !== 'running' && s !== 'paused' },
      'Hold',
    ),
    h(
      'button',
      {
        id: 'btn-abort',
        class: 'danger',
        onclick: act(
          'abort',
          `Abort campaign ${c.name}? Running commands are aborted on the instruments; this cannot be undone.`,
        ),
        disabled: s === 'completed' || s === 'aborted',
      },
      'Abort',
    ),
  );
}

function kpis(c) {
  const [objective] = Object.keys(c.objectives);
  const e = c.experiments;
  const items = [
    ['completed', `${e.completed} / ${c.budget}`],
    ['in flight', String(e.designed + e.running + e.analyzing)],
    ['failed', String(e.failed + e.interrupted)],
    [
      `best ${objective} (${c.objectives[objective]})`,
      c.best ? `${fmt(c.best.values[objective]?.mean)}  #${c.best.seq}` : '–',
    ],
    [
      'at',
      c.best
        ? Object.entries(c.best.params)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(' · ')
        : '–',
    ],
  ];
  document
    .getElementById('kpis')
    .replaceChildren(
      ...items.map(([label, value]) =>
        h('div', { class: 'kpi' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value)),
      ),
    );
  document.getElementById('progress-bar').style.width =
    `${Math.min(100, (100 * e.completed) / Math.max(1, c.budget))}%`;
  document.getElementById('campaign-status').replaceChildren(badge(c.status));
  document.getElementById('campaign-reason').textContent = c.reason || '';
}

function experimentsTable(c, experiments) {
  const params = Object.keys(c.parameters);
  const objectives = Object.keys(c.objectives);
  const table = document.getElementById('experiments');
  table.tHead.replaceChildren(
    h(
      'tr',
      {},
      h('th', { class: 'num' }, '#'),
      h('th', {}, 'status'),
      ...params.map((p) => h('th', { class: 'num' }, p)),
      ...objectives.map((o) => h('th', { class: 'num' }, o)),
      h('th', {}, 'started'),
      h('th', { class: 'num' }, 'took'),
      h('th', {}, 'reason'),
    ),
  );
  table.tBodies[0].replaceChildren(
    ...[...experiments]
      .reverse()
      .map((e) =>
        h(
          'tr',
          { class: c.best && c.best.experimentId === e.id ? 'best' : '', 'data-seq': e.seq },
          h('td', { class: 'num' }, String(e.seq)),
          h('td', {}, badge(e.status)),
          ...params.map((p) => h('td', { class: 'num' }, fmt(e.params[p]))),
          ...objectives.map((o) =>
            h('td', { class: 'num' }, e.observation ? fmt(e.observation[o]?.mean) : '–'),
          ),
          h('td', {}, time(e.startedAt)),
          h('td', { class: 'num' }, duration(e.startedAt, e.finishedAt)),
          h('td', { class: 'reason' }, e.reason || ''),
        ),
      ),
  );
}

function effects(c, experiments) {
  const [objective] = Object.keys(c.objectives);
  const box = document.getElementById('effects');
  const done = experiments.filter((e) => e.observation);
  for (const [name, def] of Object.entries(c.parameters)) {
    if (def.type === 'categorical') continue;
    let canvas = box.querySelector(`canvas[data-param="${CSS.escape(name)}"]`);
    if (!canvas) {
      canvas = h('canvas', { 'data-param': name });
      box.append(h('div', { class: 'chart small' }, canvas));
    }
    effect(
      canvas,
      `${name}${def.unit ? ` (${def.unit})` : ''}`,
      objective,
      done.map((e) => ({ x: Number(e.params[name]), y: e.observation[objective]?.mean })),
      def.log,
    );
  }
}

function campaignEvents(c) {
  const rows = state.events
    .filter((e) => e.data && e.data.campaignId === c.id)
    .slice(-30)
    .reverse();
  document.querySelector('#campaign-events tbody').replaceChildren(...rows.map(eventRow));
}

export async function renderCampaign(view, id) {
  const c = await api(`/api/campaigns/${encodeURIComponent(id)}`);
  const multi = Object.keys(c.objectives).length >= 2;
  const [experiments, best, commands, front] = await Promise.all([
    api(`/api/campaigns/${c.id}/experiments`),
    api(`/api/campaigns/${c.id}/best`),
    api(`/api/campaigns/${c.id}/timeline`),
    multi ? api(`/api/campaigns/${c.id}/pareto`) : Promise.resolve(null),
  ]);
  if (view.dataset.campaign !== c.id || !document.getElementById('kpis')) {
    forgetDetached();
    skeleton(view, c);
    forgetDetached();
  }
  kpis(c);
  controls(c);
  bestCurve(document.getElementById('chart-best'), best);
  timeline(document.getElementById('chart-timeline'), commands);
  if (multi && front) {
    const [a, b] = Object.keys(c.objectives);
    const all = experiments
      .filter((e) => e.observation)
      .map((e) => ({ x: e.observation[a]?.mean, y: e.observation[b]?.mean }));
    pareto(document.getElementById('chart-pareto'), c.objectives, all, front.front);
  }
  effects(c, experiments);
  experimentsTable(c, experiments);
  campaignEvents(c);
}

// ---------------------------------------------------------------------------------------------- instruments

export async function renderInstruments(view) {
  forgetDetached();
  view.dataset.campaign = '';
  let instruments = null;
  let note = '';
  try {
    instruments = await api('/api/instruments');
  } catch (e) {
    if (e.status !== 404) throw e;
    note = 'This daemon has no /api/instruments; showing the health check.';
  }
  if (!Array.isArray(instruments)) {
    const health = await api('/api/health');
    instruments = Object.entries(health.components.instruments).map(([id, s]) => ({ id, ...s }));
  }
  const labs = await api('/api/labs').catch(() => []);
  const specOf = (id) => labs.flatMap((l) => l.instruments).find((i) => i.id === id);
  const card = (i) => {
    const spec = specOf(i.id);
    // The API lists readings ({ name, value, valid }); the health check maps names to values.
    const readings = Array.isArray(i.readings)
      ? i.readings.map((r) => [r.name, r])
      : i.readings && typeof i.readings === 'object'
        ? Object.entries(i.readings)
        : [];
    const current = i.current || i.command || null;
    return h(
      'div',
      { class: 'panel card', 'data-instrument': i.id },
      h('h3', {}, i.id, ' ', badge(i.online ? 'up' : 'down'), ' ', i.state ? badge(i.state) : null),
      h('div', { class: 'muted' }, spec?.description || i.description || ''),
      h(
        'dl',
        {},
        h('dt', {}, 'link'),
        h('dd', {}, i.link === undefined ? '–' : i.link ? 'up' : 'down'),
        h('dt', {}, 'driver'),
        h('dd', {}, spec?.driver || i.driver || '–'),
        h('dt', {}, 'command'),
        h(
          'dd',
          {},
          current
            ? `${current.action ?? ''} ${current.status ?? ''} ${current.progress !== undefined ? `${Math.round(current.progress * 100)}%` : ''}`
            : 'idle',
        ),
        ...readings.flatMap(([name, r]) => [
          h('dt', {}, name),
          h(
            'dd',
            {},
            r && typeof r === 'object' ? `${fmt(r.value)}${r.valid === false ? ' (invalid)' : ''}` : fmt(r),
          ),
        ]),
        h('dt', {}, 'limits'),
        h(
          'dd',
          {},
          spec
            ? Object.entries(spec.limits)
                .map(([p, l]) => `${p} ${l.min}…${l.max}`)
                .join(', ')
            : '–',
        ),
      ),
    );
  };
  const interlocks = await api('/api/interlocks').catch(() => []);
  const typing = document.activeElement?.id === 'interlock-reason';
  view.replaceChildren(
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Instruments'),
      note ? h('div', { class: 'muted' }, note) : null,
    ),
    instruments.length
      ? h('div', { class: 'cards', id: 'instruments' }, instruments.map(card))
      : h('div', { class: 'panel empty' }, 'No instrument is connected.'),
    interlockPanel(interlocks),
  );
  if (typing) document.getElementById('interlock-reason')?.focus();
}

// ---------------------------------------------------------------------------------------------- interlocks

const INTERLOCK_STATE = { armed: 'up', pending: 'busy', tripped: 'down' };

/** Every interlock with its state; a tripped one gets a Reset button for an operator (refused while it holds). */
function interlockPanel(interlocks) {
  if (interlocks.length === 0) return null;
  // Rebuilt on every refresh: a reason being typed carries over.
  const typed = document.getElementById('interlock-reason')?.value ?? '';
  const reason = canOperate()
    ? h('input', { id: 'interlock-reason', placeholder: 'reason (optional)', value: typed || undefined })
    : null;
  const reset = (i) => async () => {
    try {
      await api(`/api/interlocks/${encodeURIComponent(i.name)}/reset`, {
        method: 'POST',
        body: { lab: i.lab, ...(reason?.value ? { reason: reason.value } : {}) },
      });
      notify(`interlock ${i.name} reset; held campaigns stay held until resumed`);
    } catch (e) {
      notify(e.message, true);
    }
    scheduleRefresh(0);
  };
  const row = (i) =>
    h(
      'tr',
      { 'data-interlock': i.name, 'data-lab': i.lab },
      h('td', {}, i.name, h('div', { class: 'muted' }, `lab ${i.lab}`)),
      h('td', {}, badge(i.state, INTERLOCK_STATE[i.state] ?? '')),
      h('td', {}, h('code', {}, i.when), ` → ${i.then ?? 'hold'}`),
      h(
        'td',
        {},
        i.detail,
        i.state === 'tripped' ? h('div', { class: 'muted' }, `now ${i.condition}`) : null,
      ),
      h('td', {}, time(i.since)),
      h(
        'td',
        {},
        i.state === 'tripped' && canOperate()
          ? h('button', { type: 'button', 'data-reset': i.name, onclick: reset(i) }, 'Reset')
          : i.lastReset
            ? `reset by ${i.lastReset.by} at ${time(i.lastReset.at)}`
            : '',
      ),
    );
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Interlocks'),
    reason ? h('div', { class: 'controls' }, reason) : null,
    h(
      'table',
      { id: 'interlocks' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['interlock', 'state', 'condition', 'detail', 'since', ''].map((c) => h('th', {}, c)),
        ),
      ),
      h('tbody', {}, interlocks.map(row)),
    ),
  );
}

let alarmRequest = 0;

/** The banner over every page while an interlock is tripped (an answer older than the last one shown is dropped). */
export async function renderAlarm() {
  const el = document.getElementById('alarm');
  if (!el) return;
  const mine = ++alarmRequest;
  const all = await api('/api/interlocks').catch(() => null);
  if (all === null || mine !== alarmRequest) return;
  const tripped = all.filter((i) => i.state === 'tripped');
  el.hidden = tripped.length === 0;
  el.replaceChildren(
    ...tripped.map((i) =>
      h(
        'div',
        { 'data-tripped': i.name },
        h('strong', {}, `Interlock ${i.name} tripped`),
        ` (lab ${i.lab}, since ${time(i.since)}): ${i.detail}. Campaigns of the lab are held; `,
        h('a', { href: '#/instruments' }, 'reset it'),
        ' once safe, then resume them.',
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------- events

function summarize(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'campaign.status':
      return `${d.from} → ${d.to}${d.reason ? `: ${d.reason}` : ''}`;
    case 'experiment.status':
      return `#${d.seq} ${d.from} → ${d.to}${d.reason ? `: ${d.reason}` : ''}`;
    case 'experiment.designed':
      return `#${d.seq} ${Object.entries(d.params)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' ')}`;
    case 'observation.recorded':
      return `#${d.seq} ${Object.entries(d.values)
        .map(([k, v]) => `${k}=${fmt(v.mean)}`)
        .join(' ')}`;
    case 'audit.call':
      return `${d.actor}: ${d.method} ${d.route} → ${d.status}${d.reason ? ` (${d.reason})` : ''}`;
    case 'interlock.tripped':
      return `${d.interlock} (lab ${d.lab}) tripped → ${d.action}: ${d.detail ?? ''}`;
    case 'interlock.reset':
      return `${d.interlock} (lab ${d.lab}) reset by ${d.by}${d.reason ? `: ${d.reason}` : ''}`;
    case 'instrument.status':
      return `${d.instrument} ${d.online ? 'online' : 'offline'}${d.state ? ` ${d.state}` : ''}`;
    case 'strategy.asked':
      return `asked for ${d.count} in ${(d.seconds * 1000).toFixed(1)} ms`;
    case 'command.finished':
      return `${d.instrument} ${d.status}${d.error ? `: ${d.error}` : ''}`;
    default:
      return JSON.stringify(d).slice(0, 160);
  }
}

function eventRow(e) {
  return h(
    'tr',
    {},
    h('td', {}, new Date(e.ts).toLocaleTimeString()),
    h('td', {}, e.type),
    h('td', {}, summarize(e)),
  );
}

export function renderEvents(view) {
  forgetDetached();
  view.dataset.campaign = '';
  view.replaceChildren(
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Event log (live)'),
      h(
        'table',
        { class: 'log', id: 'event-log' },
        h('tbody', {}, [...state.events].reverse().slice(0, 500).map(eventRow)),
      ),
    ),
  );
}

export function appendEvent(e) {
  const body = document.querySelector('#event-log tbody');
  if (!body) return;
  body.prepend(eventRow(e));
  while (body.childElementCount > 500) body.lastElementChild.remove();
}
