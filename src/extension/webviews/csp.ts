/** The webviews' Content-Security-Policy (no `vscode` import: unit-tested as is). */

/**
 * `default-src 'none'`; scripts only with the page's nonce; styles from the extension's bundles (the
 * webview's resource origin) or with the nonce (monaco's run-time <style> elements get it); fonts and images
 * from the bundles; workers only from blob: and only for the screen that runs monaco.
 * The monaco screen also allows inline `style` *attributes* (`style-src-attr 'unsafe-inline'`): monaco
 * positions its view lines with them. Attributes cannot carry script, and captured text never reaches
 * markup (it goes in as text nodes), so this is the one, narrow relaxation.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, opts: { workers?: boolean } = {}): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    ...(opts.workers ? ["style-src-attr 'unsafe-inline'", 'worker-src blob:'] : []),
  ].join('; ');
}
