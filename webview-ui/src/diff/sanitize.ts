/**
 * diff2html builds its HTML from escaped text (render-utils escapeForHtml); as a second line of defence the
 * HTML is parsed into an inert <template> and every element outside a small allow-list, and every attribute
 * but class/id/title/data-*, is dropped before it reaches the document.
 */
const ALLOWED_TAGS = new Set(['DIV', 'SPAN', 'TABLE', 'TBODY', 'THEAD', 'TR', 'TD', 'TH', 'INS', 'DEL', 'BR', 'svg', 'path', 'SVG', 'PATH']);
const ALLOWED_ATTRS = /^(class|id|title|data-[a-z-]+|d|viewbox|width|height|aria-hidden|version|colspan)$/i;

export function sanitizedFragment(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html; // inert: template content does not load images, run handlers or scripts
  const walker = document.createTreeWalker(t.content, NodeFilter.SHOW_ELEMENT);
  const drop: Element[] = [];
  for (let n = walker.nextNode() as Element | null; n; n = walker.nextNode() as Element | null) {
    if (!ALLOWED_TAGS.has(n.tagName)) {
      drop.push(n);
      continue;
    }
    for (const a of Array.from(n.attributes)) if (!ALLOWED_ATTRS.test(a.name)) n.removeAttribute(a.name);
  }
  for (const n of drop) n.remove();
  return t.content;
}
