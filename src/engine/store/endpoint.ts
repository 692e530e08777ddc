/**
 * Endpoint keys: method + templated path. `/orders/123` and `/orders/456` are both `/orders/{id}`.
 * A segment is templated when it looks like an identifier rather than a word: all digits, a UUID,
 * a long hex string, or a token that mixes letters and digits with at least 6 characters and a digit.
 */
import { splitUrl } from './model.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;
const HEX = /^[0-9a-f]{12,}$/i;
const MIXED = /^(?=.*\d)[A-Za-z0-9_.~-]{6,}$/;
const WORDISH = /^[a-z]+([_-][a-z]+)*$/i;

export function isIdSegment(seg: string): boolean {
  if (seg === '') return false;
  let s = seg;
  try {
    s = decodeURIComponent(seg);
  } catch {
    // keep raw
  }
  if (NUMBER.test(s) || UUID.test(s) || HEX.test(s)) return true;
  if (WORDISH.test(s)) return false;
  // version-like segments (v1, v2) are part of the route
  if (/^v\d+(\.\d+)*$/i.test(s)) return false;
  return MIXED.test(s);
}

/** `/orders/123/items` → `/orders/{id}/items`. */
export function templatePath(path: string): string {
  const segs = path.split('/');
  return segs.map((s) => (isIdSegment(s) ? '{id}' : s)).join('/') || '/';
}

/** `GET /orders/{id}` from a method and a recorded URL (origin-form or absolute). */
export function endpointKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${templatePath(splitUrl(url).path)}`;
}
