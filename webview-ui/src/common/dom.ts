/**
 * DOM building without HTML strings: every piece of captured content goes in as a text node or an
 * attribute value set through the DOM, never through innerHTML. (The one HTML string the webviews insert is
 * diff2html's output, built from escaped text; see diff/main.ts.)
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attrs {
  class?: string;
  title?: string;
  id?: string;
  role?: string;
  /** data-* attributes (keys without the prefix). */
  data?: Record<string, string>;
  /** Plain attributes, set with setAttribute (never event handlers: they are refused). */
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, a?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, a?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, a: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (a.class) el.className = a.class;
  if (a.title !== undefined) el.title = a.title;
  if (a.id) el.id = a.id;
  if (a.role) el.setAttribute('role', a.role);
  for (const [k, v] of Object.entries(a.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(a.attrs ?? {})) {
    if (/^on/i.test(k) || k.toLowerCase() === 'style' || k.toLowerCase() === 'srcdoc') throw new Error(`attribute '${k}' is not allowed`);
    el.setAttribute(k, v);
  }
  for (const [k, fn] of Object.entries(a.on ?? {})) el.addEventListener(k, fn as EventListener);
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Text cut to `max` characters, with a note of how much was left out. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (+${text.length - max} chars)` : text;
}

export function fmtMs(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

export function fmtPct(v: number | undefined | null): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(v === 1 || v === 0 ? 0 : 1)}%`;
}

/** A value for display: JSON for objects, quoted strings, `—` for undefined. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A vscode-elements button (falls back to a plain button before the element is defined). */
export function button(label: string, onClick: () => void, opts: { secondary?: boolean; title?: string; id?: string } = {}): HTMLElement {
  const b = h('vscode-button', { title: opts.title, id: opts.id, class: 'action', on: { click: () => onClick() } }, label);
  if (opts.secondary) b.setAttribute('secondary', '');
  return b;
}

/** Secret header names the webviews mask again on screen (the host has already redacted them). */
const SECRET = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|token|secret|passw(or)?d|api[-_]?key|credential/i;

/** Defence in depth: mask a secret header's value unless it already is masked. */
export function screenHeader(name: string, value: string): string {
  if (!SECRET.test(name) || value.includes('***')) return value;
  const scheme = /^([A-Za-z][A-Za-z0-9_-]*)\s+\S/.exec(value);
  return scheme && /authorization/i.test(name) ? `${scheme[1]} ***` : '***';
}
