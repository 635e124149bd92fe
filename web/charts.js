// Chart.js wrappers for the campaign page. Charts are created once per canvas and updated in place, without
// animation, so a live campaign redraws smoothly.
const charts = new Map();
const BLUE = '#1f6feb';
const GREY = 'rgba(110, 119, 129, 0.55)';
const ORANGE = '#d4700a';
const STATUS_COLORS = {
  done: '#1a7f37',
  pending: '#8c959f',
  failed: '#c62828',
  rejected: '#c62828',
  timeout: '#b26a00',
};

function upsert(canvas, config) {
  const Chart = window.Chart;
  if (!Chart) return null;
  let chart = charts.get(canvas);
  if (chart && chart.config.type === config.type) {
    chart.data = config.data;
    chart.options = config.options;
    chart.update('none');
    return chart;
  }
  chart?.destroy();
  chart = new Chart(canvas, config);
  charts.set(canvas, chart);
  return chart;
}

/** Drops charts whose canvas left the page. */
export function forgetDetached() {
  for (const [canvas, chart] of charts) {
    if (!canvas.isConnected) {
      chart.destroy();
      charts.delete(canvas);
    }
  }
}

const base = (xTitle, yTitle, extra = {}) => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { display: true, labels: { boxWidth: 10 } } },
  scales: {
    x: { type: 'linear', title: { display: true, text: xTitle }, ...(extra.x || {}) },
    y: { title: { display: true, text: yTitle }, ...(extra.y || {}) },
  },
});

export function bestCurve(canvas, best) {
  return upsert(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'best so far',
          data: best.curve.map((p) => ({ x: p.n, y: p.best })),
          showLine: true,
          stepped: 'before',
          borderColor: BLUE,
          backgroundColor: BLUE,
          pointRadius: 0,
          borderWidth: 2,
        },
        {
          label: `${best.objective} observed`,
          data: best.curve.map((p) => ({ x: p.n, y: p.value })),
          borderColor: GREY,
          backgroundColor: GREY,
          pointRadius: 3,
        },
      ],
    },
    options: base('completed experiments', `${best.objective} (${best.goal})`),
  });
}

export function effect(canvas, param, objective, points, log) {
  return upsert(canvas, {
    type: 'scatter',
    data: {
      datasets: [{ label: `${objective} vs ${param}`, data: points, backgroundColor: BLUE, pointRadius: 3 }],
    },
    options: {
      ...base(param, objective, { x: { type: log ? 'logarithmic' : 'linear' } }),
      plugins: { legend: { display: false } },
    },
  });
}

export function pareto(canvas, objectives, all, front) {
  const [a, b] = Object.keys(objectives);
  return upsert(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'Pareto front',
          data: front.map((p) => ({ x: p.values[a].mean, y: p.values[b].mean })).sort((p, q) => p.x - q.x),
          showLine: true,
          borderColor: ORANGE,
          backgroundColor: ORANGE,
          pointRadius: 4,
        },
        { label: 'observed', data: all, backgroundColor: GREY, pointRadius: 3 },
      ],
    },
    options: base(`${a} (${objectives[a]})`, `${b} (${objectives[b]})`),
  });
}

/** Instrument use: one row per instrument, a bar per command from send to reply, in seconds since the first. */
export function timeline(canvas, commands) {
  const t0 = commands.length ? Math.min(...commands.map((c) => Date.parse(c.start))) : 0;
  const now = Date.now();
  const instruments = [...new Set(commands.map((c) => c.instrument))];
  const data = commands.map((c) => ({
    x: [(Date.parse(c.start) - t0) / 1000, ((c.end ? Date.parse(c.end) : now) - t0) / 1000],
    y: c.instrument,
    status: c.status,
    seq: c.seq,
  }));
  return upsert(canvas, {
    type: 'bar',
    data: {
      labels: instruments,
      datasets: [
        {
          label: 'commands',
          data,
          backgroundColor: data.map((d) => STATUS_COLORS[d.status] || GREY),
          borderSkipped: false,
          barPercentage: 0.6,
          minBarLength: 2,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (ctx) =>
              `#${ctx.raw.seq} ${ctx.raw.status}: ${ctx.raw.x[0].toFixed(1)}–${ctx.raw.x[1].toFixed(1)} s`,
          },
        },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'seconds since the first command' } },
        y: { type: 'category' },
      },
    },
  });
}
