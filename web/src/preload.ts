/**
 * Adds a `<link rel="<rel>">` for each chunk index.html lists under `<meta name="<name>">`
 * (scripts/build-web.mjs writes them): `modulepreload` fetches and compiles them all now, in parallel
 * (instead of each import revealing the next); `prefetch` fetches them into the cache, neither parsed nor
 * run, for the next page load (a prefetch goes on when the page is left).
 */
export function preloadChunks(rel: 'modulepreload' | 'prefetch', ...names: string[]): void {
  for (const name of names) {
    for (const href of document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.split(/\s+/).filter(Boolean) ?? []) {
      const link = document.createElement('link');
      link.rel = rel;
      link.href = href;
      document.head.append(link);
    }
  }
}
