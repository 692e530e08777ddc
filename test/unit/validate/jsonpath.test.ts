import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatPath,
  parsePath,
  generalisePath,
  compilePattern,
  pathMatches,
  checkPatterns,
  JsonPathError,
  PatternSet,
  cachedPattern,
  type PathSegment,
} from '../../../src/engine/validate/jsonpath.js';

describe('formatPath', () => {
  test('simplest canonical forms', () => {
    assert.equal(formatPath([]), '$');
    assert.equal(formatPath(['a', 'b', 0]), '$.a.b[0]');
    assert.equal(formatPath(['items', 0, 'price']), '$.items[0].price');
    assert.equal(formatPath(['x-y']), "$['x-y']");
    assert.equal(formatPath(['odd key']), "$['odd key']");
    assert.equal(formatPath(['']), "$['']");
    assert.equal(formatPath(['1abc']), "$['1abc']");
    assert.equal(formatPath(["it's"]), "$['it\\'s']");
    assert.equal(formatPath(['back\\slash']), "$['back\\\\slash']");
    assert.equal(formatPath(['_ok', 'A1']), '$._ok.A1');
  });

  test('parsePath round-trips formatPath', () => {
    const cases: PathSegment[][] = [[], ['a', 0, 'b'], ['x-y', 3, "it's", 'back\\slash', '', 'a.b', 'sp ace', '[x]']];
    for (const segs of cases) assert.deepEqual(parsePath(formatPath(segs)), segs);
  });

  test('parsePath accepts double quotes and rejects patterns', () => {
    assert.deepEqual(parsePath('$["a b"][2].c'), ['a b', 2, 'c']);
    assert.throws(() => parsePath('$..id'), JsonPathError);
    assert.throws(() => parsePath('$.items[*]'), JsonPathError);
  });

  test('generalisePath replaces indices with [*]', () => {
    assert.equal(generalisePath('$.items[3].id'), '$.items[*].id');
    assert.equal(generalisePath('$[0][1].x'), '$[*][*].x');
    assert.equal(generalisePath("$['x-y'][2]"), "$['x-y'][*]");
    assert.equal(generalisePath(['a', 5, 'b']), '$.a[*].b');
    assert.equal(generalisePath('$.a'), '$.a');
  });
});

describe('compilePattern', () => {
  test('rejects what it does not support with the position', () => {
    assert.throws(() => compilePattern('a.b'), /must start with '\$'/);
    assert.throws(() => compilePattern('$.items[?(@.x>1)]'), /filter/);
    assert.throws(() => compilePattern("$['unterminated"), /unterminated/);
    assert.throws(() => compilePattern('$.a[-1]'), /unsupported bracket/);
    assert.throws(() => compilePattern('$.'), /member name/);
  });

  test('keploy body.x form maps to $.x', () => {
    assert.ok(pathMatches('body.id', '$.id'));
    assert.ok(pathMatches('body.user.id', '$.user.id'));
  });

  test('exact flag', () => {
    assert.equal(compilePattern('$.a[0]').exact, true);
    assert.equal(compilePattern('$..a').exact, false);
    assert.equal(compilePattern('$.a[*]').exact, false);
  });

  test('checkPatterns reports only the bad entries, header/status entries are fine', () => {
    const r = checkPatterns(['$.a', 'header.Date', 'status', 'nope', '$.x[?(@)]']);
    assert.deepEqual(r.map((x) => x.pattern), ['nope', '$.x[?(@)]']);
    assert.match(r[0].message, /nope/);
  });
});

describe('pathMatches', () => {
  test('plain members, indices and ancestors', () => {
    assert.ok(pathMatches('$.a.b', '$.a.b'));
    assert.ok(pathMatches('$.a.b', '$.a.b.c[0]'), 'ancestor covers descendants');
    assert.ok(!pathMatches('$.a.b', '$.a'));
    assert.ok(!pathMatches('$.a.b', '$.a.bc'));
    assert.ok(pathMatches('$.a[0]', '$.a[0].x'));
    assert.ok(!pathMatches('$.a[0]', '$.a[1]'));
    assert.ok(!pathMatches('$.a[0]', "$.a['0']"), 'index does not match a string key');
    assert.ok(pathMatches('$', '$.anything'));
  });

  test('$..id at several depths', () => {
    for (const p of ['$.id', '$.a.id', '$.a[3].b.id', '$[0].id', '$.x.y.z.w.id']) assert.ok(pathMatches('$..id', p), p);
    for (const p of ['$.ids', '$.a.idx', '$.a[0]', '$.identity']) assert.ok(!pathMatches('$..id', p), p);
    assert.ok(pathMatches('$.a..id', '$.a.b.id'));
    assert.ok(pathMatches('$.a..id', '$.a.id'));
    assert.ok(!pathMatches('$.a..id', '$.b.id'));
    assert.ok(pathMatches('$..[0]', '$.x.list[0]'));
    assert.ok(pathMatches("$..['x-y']", "$.a['x-y']"));
    assert.ok(pathMatches('$..items[*].sku', '$.order.items[4].sku'));
  });

  test('wildcards, unions, slices, bracket keys', () => {
    assert.ok(pathMatches('$.items[*].sku', '$.items[0].sku'));
    assert.ok(pathMatches('$.items[*].sku', '$.items[12].sku'));
    assert.ok(!pathMatches('$.items[*].sku', '$.items[0].price'));
    assert.ok(pathMatches('$.*.id', '$.user.id'));
    assert.ok(pathMatches('$.map[*]', '$.map.anyKey'));
    assert.ok(pathMatches("$['odd key']", "$['odd key']"));
    assert.ok(pathMatches('$["odd key"].x', "$['odd key'].x"));
    assert.ok(pathMatches("$['x-request-id']", "$['x-request-id']"));
    assert.ok(pathMatches("$['a','b']", '$.b'));
    assert.ok(!pathMatches("$['a','b']", '$.c'));
    assert.ok(pathMatches('$.l[0,2]', '$.l[2]'));
    assert.ok(!pathMatches('$.l[0,2]', '$.l[1]'));
    assert.ok(pathMatches('$.l[1:3]', '$.l[2]'));
    assert.ok(!pathMatches('$.l[1:3]', '$.l[3]'));
    assert.ok(pathMatches('$.l[2:]', '$.l[99]'));
  });
});

describe('PatternSet (incremental matcher)', () => {
  function walkMatch(set: PatternSet<string>, segs: PathSegment[]): string | undefined {
    if (set.rootMatch !== undefined) return set.rootMatch;
    let states: readonly number[] = set.rootStates;
    for (const s of segs) {
      const r = set.step(states, s);
      if (r.match !== undefined) return r.match;
      states = r.next;
      if (!states.length) return undefined;
    }
    return undefined;
  }

  test('agrees with pathMatches on a grid of patterns and paths', () => {
    const patterns = ['$.a.b', '$..id', '$.items[*].sku', '$.a[0]', "$['odd key']", '$..x..y', '$.*', '$.l[1:3].v', '$..[*].z'];
    const paths: PathSegment[][] = [
      ['a', 'b'], ['a', 'b', 'c'], ['id'], ['q', 3, 'id'], ['items', 2, 'sku'], ['items', 2, 'sku', 'x'], ['a', 0],
      ['a', 1], ['odd key', 'n'], ['x', 'm', 'y'], ['x', 'y'], ['y', 'x'], ['l', 2, 'v'], ['l', 3, 'v'], ['k', 'z'], ['z'],
    ];
    for (const p of patterns) {
      const set = new PatternSet<string>();
      set.add(cachedPattern(p), p);
      for (const segs of paths) {
        assert.equal(walkMatch(set, segs) === p, pathMatches(p, segs), `${p} vs ${formatPath(segs)}`);
      }
    }
  });

  test('first matching pattern wins and root pattern matches root', () => {
    const set = new PatternSet<string>();
    set.add(cachedPattern('$.a'), 'first');
    set.add(cachedPattern('$..a'), 'second');
    assert.equal(walkMatch(set, ['a']), 'first');
    assert.equal(walkMatch(set, ['b', 'a']), 'second');
    const root = new PatternSet<string>();
    root.add(cachedPattern('$'), 'root');
    assert.equal(root.rootMatch, 'root');
  });
});
