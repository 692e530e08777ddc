// Shared by server.mjs and payment-api.mjs: start an http.Server and hand back its URL and a closer.

/**
 * Listens on host:port (port 0: a free one) and resolves once listening.
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {string} host
 */
export async function listen(server, port, host) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address();
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    /** Stops listening and cuts open keep-alive connections. */
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
