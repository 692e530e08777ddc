import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { redactHeaders, isSecretHeader, redactJsonPaths, redactJsonText, redactUrl } from '../../../src/engine/redact.js';

describe('redact', () => {
  test('isSecretHeader: fixed names, name parts, extras; ordinary headers are not secret', () => {
    for (const h of ['Authorization', 'proxy-authorization', 'Cookie', 'set-cookie', 'X-API-Key', 'api-key', 'x-auth-token',
      'x-csrf-token', 'x-client-secret', 'x-password', 'x-goog-apikey', 'x-goog-api-key']) {
      assert.equal(isSecretHeader(h), true, h);
    }
    for (const h of ['content-type', 'accept', 'x-request-id', 'user-agent', 'authority-hint']) assert.equal(isSecretHeader(h), false, h);
    assert.equal(isSecretHeader('X-Tenant'), false);
    assert.equal(isSecretHeader('X-Tenant', ['x-tenant']), true);
  });

  test('redactHeaders keeps the scheme, cookie names and set-cookie attributes; leaves others alone', () => {
    const input = {
      Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      'proxy-authorization': 'opaquetoken',
      cookie: 'sid=abc123; theme=dark',
      'set-cookie': ['sid=abc123; Path=/; HttpOnly', 'csrf=zzz; Secure'],
      'x-api-key': 'k-123',
      'x-refresh-token': 'rt',
      'content-type': 'application/json',
      'x-tenant': 't1',
    };
    const out = redactHeaders(input, ['X-Tenant']);
    assert.deepEqual(out, {
      Authorization: 'Bearer ***',
      'proxy-authorization': '***',
      cookie: 'sid=***; theme=***',
      'set-cookie': ['sid=***; Path=/; HttpOnly', 'csrf=***; Secure'],
      'x-api-key': '***',
      'x-refresh-token': '***',
      'content-type': 'application/json',
      'x-tenant': '***',
    });
    // the input is not modified
    assert.equal(input.cookie, 'sid=abc123; theme=dark');
    assert.ok(!JSON.stringify(out).includes('abc123'));
    assert.deepEqual(redactHeaders(undefined), {});
  });

  test('redactJsonPaths masks configured paths in a copy; bad paths are ignored', () => {
    const body = { user: { name: 'ann', password: 'hunter2' }, items: [{ ssn: '1' }, { ssn: '2' }], token: 't' };
    const out = redactJsonPaths(body, ['$.user.password', '$.items[*].ssn', '$..token', '$[[[bad']);
    assert.deepEqual(out, { user: { name: 'ann', password: '***' }, items: [{ ssn: '***' }, { ssn: '***' }], token: '***' });
    assert.equal(body.user.password, 'hunter2');
    assert.equal(redactJsonPaths('plain', ['$.x']), 'plain');
  });

  test('redactJsonText parses JSON text and leaves other text unchanged', () => {
    assert.equal(redactJsonText('{"a":1,"secret":"s"}', ['$.secret']), '{"a":1,"secret":"***"}');
    assert.equal(redactJsonText('not json {', ['$.secret']), 'not json {');
    assert.equal(redactJsonText('{broken', ['$.secret']), '{broken');
    assert.equal(redactJsonText(undefined, ['$.x']), undefined);
  });

  test('redactUrl masks secret-looking query parameters only', () => {
    assert.equal(redactUrl('/a?id=1&access_token=abc&api_key=k&x=2#frag'), '/a?id=1&access_token=***&api_key=***&x=2#frag');
    assert.equal(redactUrl('/a?password=p'), '/a?password=***');
    assert.equal(redactUrl('/plain/path'), '/plain/path');
    assert.equal(redactUrl('/a?tenant=t', ['tenant']), '/a?tenant=***');
  });
});
