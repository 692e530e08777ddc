/**
 * The response diff screen: expected vs actual rendered by diff2html (side by side or line by line) from the
 * engine's unified diff, ignored lines greyed out, the field differences by JSONPath, and the actions.
 */
import './diff.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { html as diffHtml } from 'diff2html';
import { connect } from '../common/channel.js';
import { answerProbes } from '../common/probe.js';
import { h, clear, button, cut, showValue, screenHeader } from '../common/dom.js';
import { sanitizedFragment } from './sanitize.js';
import {
  diffInit,
  diffMore,
  ignorePath,
  addTolerance,
  acceptActual,
  openNativeDiff,
  rerunRequest,
  type ActionReply,
} from '../../../src/shared/protocols/diff.js';
import type { DiffView, DiffSide, FieldDiff } from '../../../src/shared/view-types.js';

type Format = 'side-by-side' | 'line-by-line';

declare global {
  interface Window {
    __repriseDiff?: { view?: DiffView; renderedAt?: number };
  }
}

const ch = connect();
const root = document.getElementById('app') ?? document.body;
let format: Format = ch.getState<{ format?: Format }>()?.format ?? 'side-by-side';
let current: DiffView | undefined;
let statusEl: HTMLElement = h('div');

window.__repriseDiff = {};

function setStatus(text: string, ok?: boolean): void {
  statusEl.textContent = text;
  statusEl.className = `status-line${ok === true ? ' ok' : ok === false ? ' bad' : ''}`;
}

async function act(label: string, run: () => Promise<ActionReply>): Promise<void> {
  setStatus(`${label}…`);
  try {
    const r = await run();
    setStatus(r.message, r.ok);
  } catch (e) {
    setStatus((e as Error).message, false);
  }
}

function sideTable(title: string, side: DiffSide | null): HTMLElement {
  if (!side) return h('div', {}, h('h2', {}, title), h('p', { class: 'muted' }, 'none'));
  const rows = Object.entries(side.headers).map(([k, v]) => {
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    return h('tr', {}, h('td', {}, k), h('td', {}, cut(screenHeader(k, value), 500)));
  });
  return h(
    'div',
    {},
    h('h2', {}, `${title}: ${side.status ?? '—'}`),
    h('div', { class: 'muted' }, `${side.bodyKind} body, ${side.bodyBytes} bytes`),
    h('details', {}, h('summary', {}, `${rows.length} headers`), h('table', { class: 'grid headers' }, h('tbody', {}, rows))),
  );
}

function fieldTable(v: DiffView): HTMLElement {
  if (!v.fieldDiffs.length) return h('p', { class: 'muted' }, v.outcome === 'pass' ? 'No differences.' : 'No field-level differences recorded.');
  const rows = v.fieldDiffs.map((d: FieldDiff) => {
    const numeric = typeof d.expected === 'number' && typeof d.actual === 'number';
    const isBodyPath = d.path.startsWith('$');
    const isHeader = d.path.startsWith('header.');
    const acts: HTMLElement[] = [];
    if (v.actions && !d.ignored && (isBodyPath || isHeader)) {
      acts.push(button('Ignore this path', () => void act(`Ignoring ${d.path}`, () => ch.client.request(ignorePath, { path: d.path })), { secondary: true, title: `Add ${d.path} to validate.ignore in reprise.yaml` }));
    }
    if (v.actions && !d.ignored && numeric && isBodyPath) {
      const tol = Math.abs((d.actual as number) - (d.expected as number));
      acts.push(button('Add tolerance', () => void act(`Adding a tolerance for ${d.path}`, () => ch.client.request(addTolerance, { path: d.path })), { secondary: true, title: `Tolerate differences up to ${tol} at ${d.path}` }));
    }
    return h(
      'tr',
      { class: d.ignored ? 'ignored' : '', data: { path: d.path } },
      h('td', { class: 'mono' }, d.path),
      h('td', {}, d.kind, d.ignored ? h('span', { class: 'badge', title: 'does not fail the request' }, ` ${d.ignored}`) : null),
      h('td', { class: 'mono' }, cut(showValue(d.expected), 300)),
      h('td', { class: 'mono' }, cut(showValue(d.actual), 300)),
      h('td', {}, acts),
    );
  });
  return h(
    'table',
    { class: 'grid fields', id: 'fields' },
    h('thead', {}, h('tr', {}, ['Path', 'Kind', 'Expected', 'Actual', ''].map((c) => h('th', {}, c)))),
    h('tbody', {}, rows),
  );
}

/** Grey out the rows whose old/new line number is in the ignored sets. */
function markIgnored(container: HTMLElement, v: DiffView): void {
  const oldSet = new Set(v.ignoredLines.old);
  const newSet = new Set(v.ignoredLines.new);
  const num = (el: Element | null) => {
    const t = el?.textContent?.trim();
    return t ? Number(t) : NaN;
  };
  // line by line: one table; numbers in .line-num1 (old) / .line-num2 (new)
  for (const tr of Array.from(container.querySelectorAll('.d2h-file-diff tr'))) {
    const o = num(tr.querySelector('.line-num1'));
    const n = num(tr.querySelector('.line-num2'));
    if ((o && oldSet.has(o)) || (n && newSet.has(n))) tr.classList.add('reprise-ignored');
  }
  // side by side: left table is the old side, right the new
  const sides = container.querySelectorAll('.d2h-file-side-diff');
  sides.forEach((side, i) => {
    const set = i === 0 ? oldSet : newSet;
    for (const tr of Array.from(side.querySelectorAll('tr'))) {
      const n = num(tr.querySelector('.d2h-code-side-linenumber'));
      if (n && set.has(n)) tr.classList.add('reprise-ignored');
    }
  });
}

function renderDiff(container: HTMLElement, v: DiffView): void {
  clear(container);
  if (v.tooLarge) {
    container.appendChild(h('p', { class: 'warn' }, 'The documents differ too much to compute a line diff within the time budget; the field differences above list what changed.'));
    return;
  }
  if (!v.unified.includes('@@')) {
    container.appendChild(h('p', { class: 'muted' }, 'The normalised responses are identical.'));
    return;
  }
  const markup = diffHtml(v.unified, { outputFormat: format, drawFileList: false, matching: 'none', diffStyle: 'word', colorScheme: 'auto' as never });
  container.appendChild(sanitizedFragment(markup));
  markIgnored(container, v);
}

function render(v: DiffView): void {
  current = v;
  clear(root);
  statusEl = h('div', { class: 'status-line', role: 'status', id: 'status' });
  const diffBox = h('div', { id: 'diff' });
  const seg = h('div', { class: 'seg', role: 'group', attrs: { 'aria-label': 'Diff layout' } });
  const setFormat = (f: Format) => {
    format = f;
    ch.setState({ format });
    for (const b of Array.from(seg.children)) b.setAttribute('aria-pressed', String((b as HTMLElement).dataset.format === f));
    renderDiff(diffBox, v);
  };
  for (const [f, label] of [['side-by-side', 'Side by side'], ['line-by-line', 'Line by line']] as const) {
    seg.appendChild(h('button', { data: { format: f }, attrs: { 'aria-pressed': String(format === f), type: 'button' }, on: { click: () => setFormat(f) } }, label));
  }
  const actions: HTMLElement[] = [];
  if (v.actions) {
    actions.push(
      button('Replay this request again', () => void act('Replaying', () => ch.client.request(rerunRequest, {})), { id: 'rerun' }),
      button('Accept actual as expected', () => void act('Updating the recording', () => ch.client.request(acceptActual, {})), { secondary: true, id: 'accept' }),
      button('Open in diff editor', () => void act('Opening the diff editor', () => ch.client.request(openNativeDiff, {})), { secondary: true, id: 'native' }),
    );
  }
  const shownLines = Math.max(v.expected?.totalLines ?? 0, v.actual?.totalLines ?? 0);
  root.appendChild(
    h(
      'main',
      {},
      h('h1', {}, h('span', { class: v.outcome }, v.outcome.toUpperCase()), ' ', h('span', { class: 'mono' }, `${v.method} ${cut(v.url, 500)}`)),
      h('div', { class: 'muted' }, `${v.endpoint} · pair ${v.pairId} · run ${v.runId}`),
      v.note ? h('div', { class: 'muted' }, v.note) : null,
      v.problem ? h('div', { class: 'warn', id: 'problem' }, v.problem) : null,
      h('div', { class: 'toolbar' }, actions),
      statusEl,
      h('div', { class: 'cards' }, sideTable('Expected', v.expected), sideTable('Actual', v.actual)),
      h('h2', {}, `Field differences${v.diffsOmitted ? ` (${v.diffsOmitted} more not kept)` : ''}`),
      fieldTable(v),
      h('h2', {}, 'Response diff'),
      h('div', { class: 'toolbar' }, seg, h('span', { class: 'muted' }, 'greyed lines are ignored by reprise.yaml or tolerated')),
      v.truncated
        ? h(
            'div',
            { class: 'warn', id: 'truncated' },
            `Showing the first ${v.lineLimit} lines of ${shownLines}. `,
            ch.connected ? h('button', { class: 'link', id: 'show-more', on: { click: () => void more(v.lineLimit * 4) } }, 'Show more') : null,
          )
        : null,
      diffBox,
    ),
  );
  renderDiff(diffBox, v);
  window.__repriseDiff = { view: v, renderedAt: performance.now() };
}

async function more(lineLimit: number): Promise<void> {
  setStatus('Loading more lines…');
  try {
    render(await ch.client.request(diffMore, { lineLimit }));
  } catch (e) {
    setStatus((e as Error).message, false);
  }
}

ch.client.onNotification(diffInit, (v) => render(v));
answerProbes(ch.client, () => window.__repriseDiff?.renderedAt);
ch.client.ready();
void current;
