// The Single Market Scoreboard per peer: each indicator as a bar over its
// green, yellow and red bands (the thresholds of server/domain/scoreboard.h),
// drawn as plain SVG, with the same numbers in a table for screen readers.
import {call} from './api.js';
import {h, table} from './dom.js';
import {formatNumber, t} from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

// Per indicator: the axis maximum and the bands as [from, to, colour].
export const BANDS = {
  accepted_within_7_days: [100, [[0, 60, 'red'], [60, 80, 'yellow'], [80, 100, 'green']], '%'],
  answered_by_agreed_date: [100, [[0, 60, 'red'], [60, 80, 'yellow'], [80, 100, 'green']], '%'],
  average_days_to_answer: [40, [[0, 16, 'green'], [16, 25, 'yellow'], [25, 40, 'red']], 'd'],
  negative_timeliness_ratings: [30, [[0, 5, 'green'], [5, 15, 'yellow'], [15, 30, 'red']], '%'],
  negative_effort_ratings: [30, [[0, 5, 'green'], [5, 15, 'yellow'], [15, 30, 'red']], '%'],
};

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

let charts = 0;

function chart(title, indicators) {
  const width = 520;
  const row = 34;
  const left = 230;
  const plot = width - left - 20;
  const height = row * indicators.length + 10;
  charts += 1;
  const titleId = `chart-title-${charts}`;
  const root = svg('svg', {class: 'chart', role: 'img', 'aria-labelledby': titleId,
    viewBox: `0 0 ${width} ${height}`, width, height});
  root.appendChild(svg('title', {id: titleId}, title));
  indicators.forEach((ind, i) => {
    const [max, bands] = BANDS[ind.name] || [100, []];
    const y = 5 + i * row;
    root.appendChild(svg('text', {x: 0, y: y + 18}, t(`score.${ind.name}`)));
    for (const [from, to, colour] of bands) {
      root.appendChild(svg('rect', {class: `band-${colour}`, x: left + (from / max) * plot, y,
        width: ((to - from) / max) * plot, height: row - 8}));
    }
    if (ind.count) {
      const v = Math.min(Number(ind.value || 0), max);
      root.appendChild(svg('rect', {class: 'bar', x: left, y: y + 8, width: Math.max(2, (v / max) * plot),
        height: row - 24}));
    }
  });
  return root;
}

function indicatorTable(caption, indicators) {
  return table(caption, [t('score.indicator'), t('score.value'), t('score.count'), t('score.band')],
    indicators.map((ind) => [t(`score.${ind.name}`),
      ind.count ? `${formatNumber(ind.value, 1)}${(BANDS[ind.name] || [])[2] === '%' ? ' %' : ` ${t('score.days')}`}` : '–',
      formatNumber(ind.count),
      ind.band ? h('span', {class: `band-label-${ind.band}`}, t(`score.band.${ind.band}`)) : '–']));
}

function indicatorSection(title, indicators) {
  return [h('h3', {}, title), indicators.length
    ? [chart(title, indicators), indicatorTable(title, indicators)]
    : h('p', {class: 'meta'}, t('none'))];
}

// One GetStats call: every peer over the last 365 days.
export async function renderScoreboard() {
  const answer = await call('RequestService', 'GetStats', {});
  const peers = answer.peers || [];
  return h('section', {}, h('h1', {}, t('nav.scoreboard')),
    h('p', {}, t('score.period', {from: answer.from || '', to: answer.to || ''})),
    peers.length ? peers.map((p) => h('section', {class: 'peer-score'},
      h('h2', {}, p.peer),
      h('p', {}, t('score.sent_received', {sent: formatNumber(p.requestsSent), received: formatNumber(p.requestsReceived)})),
      indicatorSection(t('score.as_recipient', {peer: p.peer}), p.asRecipient || []),
      indicatorSection(t('score.our_answers', {peer: p.peer}), p.ourAnswers || [])))
      : h('p', {class: 'meta'}, t('none')));
}
