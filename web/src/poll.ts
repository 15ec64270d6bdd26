import { useEffect, useRef, useState } from 'preact/hooks';

/** The state of a read the page repeats: its last value, or its last error. */
export type Loaded<T> = { readonly status: 'loading' } | { readonly status: 'ok'; readonly value: T; readonly at: number } | { readonly status: 'error'; readonly error: Error; readonly value?: T };

/**
 * Runs `load` now and again every `intervalMs(value)` milliseconds (undefined: stop) until the component
 * goes away; a slow read is never overlapped by the next. `reload` reads again at once. A read may show
 * a first part of its value before it ends (`partial`), as the apps page does before the slowest read.
 */
export function usePoll<T>(load: (partial: (value: T) => void) => Promise<T>, intervalMs: (value: T | undefined) => number | undefined, deps: readonly unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const kick = useRef<() => void>(() => undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: T | undefined;
    const run = async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      try {
        last = await load((value) => {
          if (!stopped) setState({ status: 'ok', value, at: Date.now() });
        });
        if (stopped) return;
        setState({ status: 'ok', value: last, at: Date.now() });
      } catch (e) {
        if (stopped) return;
        setState({ status: 'error', error: e as Error, ...(last !== undefined ? { value: last } : {}) });
      }
      const next = intervalMs(last);
      if (!stopped && next !== undefined) timer = setTimeout(() => void run(), next);
    };
    kick.current = () => void run();
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, deps);
  return [state, () => kick.current()];
}
