/**
 * The unmatched mock calls screen: each call with its request, the nearest stubs and why each of their
 * matchers failed; "Promote to stub" (one call or the selected ones) opens the draft in a monaco JSON
 * editor validated against the stub schema; saving writes the stubs and offers a rerun.
 */
import './unmatched.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { connect } from '../common/channel.js';
import { answerProbes } from '../common/probe.js';
import { h, clear, button, cut, showValue, screenHeader } from '../common/dom.js';
import { unmatchedInit, draftStubs, saveStubs, rerunAfterPromote } from '../../../src/shared/protocols/unmatched.js';
import type { UnmatchedInit, UnmatchedCallView } from '../../../src/shared/view-types.js';
import type { StubEditor } from './editor.js';

declare global {
  interface Window {
    __repriseUnmatched?: { init?: UnmatchedInit; editor?: StubEditor; renderedAt?: number };
  }
}

const ch = connect();
const root = document.getElementById('app') ?? document.body;
const MAX_SHOWN = 500;
const selected = new Set<string>();
let editor: StubEditor | undefined;
let promoted: string[] = [];
let mode: 'new' | 'loosen-nearest' = 'new';
window.__repriseUnmatched = {};

function status(el: HTMLElement, text: string, ok?: boolean): void {
  el.textContent = text;
  el.className = `status-line${ok === true ? ' ok' : ok === false ? ' bad' : ''}`;
}

function callCard(c: UnmatchedCallView, actions: boolean, onPromote: (ids: string[]) => void, onToggle: () => void): HTMLElement {
  const box = h('input', {
    attrs: { type: 'checkbox', 'aria-label': `select call ${c.id}` },
    data: { call: c.id },
    on: {
      change: (e) => {
        if ((e.target as HTMLInputElement).checked) selected.add(c.id);
        else selected.delete(c.id);
        onToggle();
      },
    },
  });
  const headers = Object.entries(c.headers).map(([k, v]) => {
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    return h('tr', {}, h('td', { class: 'mono' }, k), h('td', { class: 'mono' }, cut(screenHeader(k, value), 500)));
  });
  const nearest = c.nearest.length
    ? h(
        'table',
        { class: 'grid nearest' },
        h('thead', {}, h('tr', {}, ['Nearest stub', 'Distance', 'Matches', 'Why it did not match'].map((x) => h('th', {}, x)))),
        h(
          'tbody',
          {},
          c.nearest.map((n) =>
            h(
              'tr',
              { data: { stub: n.stubId } },
              h('td', { class: 'mono' }, n.stubId),
              h('td', { class: 'num' }, n.distance.toFixed(2)),
              h('td', { class: 'mono' }, cut(n.summary, 300)),
              h(
                'td',
                {},
                h(
                  'ul',
                  { class: 'failures' },
                  n.failures.map((f) =>
                    h(
                      'li',
                      {},
                      h('span', { class: 'badge' }, f.matcher + (f.field ? ` ${f.field}` : '')),
                      ' ',
                      cut(f.message, 400),
                      f.expected !== undefined || f.actual !== undefined ? h('div', { class: 'muted mono' }, `expected ${cut(showValue(f.expected), 200)}, got ${cut(showValue(f.actual), 200)}`) : null,
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      )
    : h('p', { class: 'muted' }, 'No stubs to compare with.');
  return h(
    'section',
    { class: 'call', data: { call: c.id } },
    h(
      'div',
      { class: 'call-head' },
      actions ? box : null,
      h('span', { class: 'badge' }, c.service),
      ' ',
      h('span', { class: 'mono strong' }, `${c.method} ${cut(c.url, 500)}`),
      ' ',
      h('span', { class: 'muted' }, `at ${c.at} · answered ${c.answeredWith.status}${c.answeredWith.passthrough ? ` via ${c.answeredWith.passthrough}` : ''}`),
      actions ? button('Promote to stub', () => onPromote([c.id]), { secondary: true }) : null,
    ),
    h('details', {}, h('summary', {}, `${headers.length} request headers`), h('table', { class: 'grid' }, h('tbody', {}, headers))),
    c.body !== undefined
      ? h('div', {}, h('div', { class: 'muted' }, `body${c.bodyEncoding === 'base64' ? ' (base64)' : ''}${c.bodyTruncated ? ' (cut)' : ''}`), h('div', { class: 'pre' }, c.body))
      : null,
    nearest,
  );
}

function render(init: UnmatchedInit): void {
  window.__repriseUnmatched = { init };
  selected.clear();
  clear(root);
  const editorBox = h('div', { class: 'editor', id: 'stub-editor' });
  const editorPane = h('section', { class: 'editor-pane', id: 'editor-pane', attrs: { hidden: '' } });
  const editorStatus = h('div', { class: 'status-line', role: 'status', id: 'editor-status' });
  const notes = h('ul', { class: 'muted', id: 'draft-notes' });
  const after = h('div', { class: 'toolbar', id: 'after-save' });
  const promoteSelected = button('Promote selected to stubs', () => void promote([...selected]), { id: 'promote-selected' });
  const updateSelected = () => {
    promoteSelected.toggleAttribute('disabled', selected.size === 0);
    promoteSelected.textContent = `Promote selected to stubs (${selected.size})`;
  };

  async function promote(ids: string[]): Promise<void> {
    if (!ids.length) return;
    editorPane.removeAttribute('hidden');
    clear(after);
    status(editorStatus, `Drafting ${ids.length} stub(s)…`);
    try {
      const draft = await ch.client.request(draftStubs, { callIds: ids, mode });
      promoted = ids;
      clear(notes);
      for (const n of draft.notes) notes.appendChild(h('li', {}, n));
      const { createStubEditor } = await import('./editor.js');
      editor?.dispose();
      editor = createStubEditor(editorBox, draft.text, draft.schema);
      window.__repriseUnmatched!.editor = editor;
      status(editorStatus, `Draft of ${ids.length} stub(s): adjust the matcher and the response, then save.`);
      editorPane.scrollIntoView({ block: 'start' });
    } catch (e) {
      status(editorStatus, (e as Error).message, false);
    }
  }

  async function save(): Promise<void> {
    if (!editor) return;
    const problems = editor.problems();
    if (problems.length) {
      status(editorStatus, `Fix these first: ${problems.slice(0, 5).join('; ')}`, false);
      return;
    }
    status(editorStatus, 'Saving…');
    try {
      const r = await ch.client.request(saveStubs, { text: editor.getText() });
      if (!r.ok) {
        status(editorStatus, `Not saved: ${r.errors.slice(0, 5).join('; ')}`, false);
        return;
      }
      status(editorStatus, `Saved ${r.files.length} stub file(s): ${r.files.join(', ')}`, true);
      clear(after);
      const rerunStatus = h('span', { class: 'status-line', id: 'rerun-status' });
      after.appendChild(
        button('Rerun to check', () => {
          status(rerunStatus, 'Rerunning…');
          ch.client.request(rerunAfterPromote, { callIds: promoted }).then(
            (res) => status(rerunStatus, res.message, res.ok),
            (e: Error) => status(rerunStatus, e.message, false),
          );
        }, { id: 'rerun' }),
      );
      after.appendChild(rerunStatus);
    } catch (e) {
      status(editorStatus, (e as Error).message, false);
    }
  }

  const modeSel = h(
    'select',
    { id: 'promote-mode', attrs: { 'aria-label': 'How to promote' }, on: { change: (e) => (mode = (e.target as HTMLSelectElement).value as typeof mode) } },
    h('option', { attrs: { value: 'new' } }, 'New stub matching the call exactly (response of the nearest stub)'),
    h('option', { attrs: { value: 'loosen-nearest' } }, 'Loosen the nearest stub just enough to match'),
  );
  const shown = init.calls.slice(0, MAX_SHOWN);
  editorPane.append(
    h('h2', {}, 'Stub draft'),
    notes,
    editorBox,
    h('div', { class: 'toolbar' }, button('Save stubs', () => void save(), { id: 'save' }), button('Cancel', () => editorPane.setAttribute('hidden', ''), { secondary: true })),
    editorStatus,
    after,
  );
  root.appendChild(
    h(
      'main',
      {},
      h('h1', {}, `Unmatched mock calls (${init.total})`),
      h('div', { class: 'muted' }, `run ${init.runId}`),
      init.actions && init.calls.length ? h('div', { class: 'toolbar' }, promoteSelected, modeSel) : null,
      editorPane,
      init.calls.length ? null : h('p', { class: 'muted' }, 'Every mock call matched a stub.'),
      shown.map((c) => callCard(c, init.actions, (ids) => void promote(ids), updateSelected)),
      init.calls.length > shown.length ? h('p', { class: 'muted' }, `${init.calls.length - shown.length} more not shown.`) : null,
    ),
  );
  updateSelected();
  window.__repriseUnmatched.renderedAt = performance.now();
}

ch.client.onNotification(unmatchedInit, render);
answerProbes(ch.client, () => window.__repriseUnmatched?.renderedAt);
ch.client.ready();
