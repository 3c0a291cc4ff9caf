// The HTTP rules the page server follows, as small pure functions: which encoding to send for an
// Accept-Encoding header, whether an If-None-Match header matches, and which Cache-Control a path
// gets (a year, immutable, for content-hashed URLs; revalidate-every-time with an ETag for the rest).

export type Encoding = 'br' | 'gzip';

/** File suffix of each precompressed copy, in preference order (brotli is 10-30% smaller). */
export const ENCODING_SUFFIX: Readonly<Record<Encoding, string>> = Object.freeze({ br: '.br', gzip: '.gz' });

/** The best encoding the client accepts (q > 0) among `available`, or undefined for identity. */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly Encoding[]): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(token, Number.isFinite(value) ? value : 0);
  }
  const weight = (e: Encoding) => q.get(e) ?? (e === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
  let best: Encoding | undefined;
  for (const e of (['br', 'gzip'] as const).filter((x) => available.includes(x))) {
    if (weight(e) > 0 && (best === undefined || weight(e) > weight(best))) best = e;
  }
  return best;
}

/** If-None-Match against the representation's strong ETag (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** Vite's assets/name-HASH.ext and the ort/<hash>/ folder change URL when their bytes change. */
export function isContentHashed(path: string): boolean {
  return /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(path) || /^\/ort\/[0-9a-f]{12}\/[^/]+$/.test(path);
}

export function cacheControlFor(path: string): string {
  return isContentHashed(path) ? IMMUTABLE : REVALIDATE;
}

/** What cross-origin isolation needs (SharedArrayBuffer, hence WASM threads), on every response. */
export const ISOLATION_HEADERS = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
});
