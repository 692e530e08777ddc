/**
 * A virtualised list of fixed-height rows: only the rows in view (plus a margin) exist in the DOM, so
 * 100,000 results scroll as fast as 100.
 */
import { h, clear } from './dom.js';

export interface VirtualListOptions<T> {
  rowHeight: number;
  render: (item: T, index: number) => HTMLElement;
  /** Extra rows rendered above and below the viewport. */
  overscan?: number;
}

export class VirtualList<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private items: readonly T[] = [];
  private frame = 0;
  private lastRange = '';

  constructor(private readonly opts: VirtualListOptions<T>) {
    this.spacer = h('div', { class: 'vlist-spacer' });
    this.window = h('div', { class: 'vlist-window', role: 'rowgroup' });
    this.element = h('div', { class: 'vlist', role: 'table' }, this.spacer, this.window);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  get length(): number {
    return this.items.length;
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    this.spacer.style.height = `${items.length * this.opts.rowHeight}px`;
    this.lastRange = '';
    this.schedule();
  }

  /** Re-render the visible rows even when the range did not change (items changed in place). */
  refresh(): void {
    this.lastRange = '';
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  /** Paint now (used for the first render, so it happens in the same task). */
  paint(): void {
    const { rowHeight } = this.opts;
    const overscan = this.opts.overscan ?? 10;
    const view = this.element.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeight) - overscan);
    const last = Math.min(this.items.length, Math.ceil((this.element.scrollTop + view) / rowHeight) + overscan);
    const key = `${first}:${last}:${this.items.length}`;
    if (key === this.lastRange) return;
    this.lastRange = key;
    clear(this.window);
    this.window.style.transform = `translateY(${first * rowHeight}px)`;
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const row = this.opts.render(this.items[i], i);
      row.style.height = `${rowHeight}px`;
      frag.appendChild(row);
    }
    this.window.appendChild(frag);
  }
}
