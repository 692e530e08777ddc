/**
 * Monaco adds <style> elements at run time. The CSP allows styles from the extension's bundles and, for
 * elements created here, the page's nonce: give every <style> created through document.createElement the
 * nonce of the script that loaded this bundle. Imported first, before monaco.
 */
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce || document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce || '';
if (nonce) {
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const el = create.call(this, tag, options);
    if (typeof tag === 'string' && tag.toLowerCase() === 'style') el.setAttribute('nonce', nonce);
    return el;
  } as typeof Document.prototype.createElement;
}
export {};
