import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseDurationOrNull, didYouMean, editDistance } from '../../../src/engine/config/index.js';

test('durations: units and plain milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration(' 2 s '), 2000);
  assert.equal(parseDuration(250), 250);
  assert.equal(parseDuration(0), 0);
});

test('durations: garbage is rejected with a message saying how to write one', () => {
  for (const bad of ['5', '5 sec', 'fast', '-1s', '1d', '', '1.s', null, true, -5, Infinity, NaN, [1]]) {
    assert.equal(parseDurationOrNull(bad), null, `${String(bad)} should not be a duration`);
  }
  assert.throws(() => parseDuration('5 sec'), /"5 sec" is not a duration: a duration is a number of milliseconds or a string like "500ms"/);
});

test('did-you-mean: close words, case and dashes; nothing for far-off words', () => {
  assert.equal(editDistance('concurency', 'concurrency'), 1);
  assert.equal(editDistance('tiemout', 'timeout'), 1); // transposition counts once
  assert.equal(didYouMean('concurency', ['concurrency', 'timeout']), 'concurrency');
  assert.equal(didYouMean('TIME-SCALE', ['time_scale']), 'time_scale');
  assert.equal(didYouMean('gates', ['quality_gates', 'target']), 'quality_gates');
  assert.equal(didYouMean('xyz', ['concurrency', 'timeout']), undefined);
  assert.equal(didYouMean('a', ['b']), 'b'); // one edit on a tiny word is still a suggestion
});
