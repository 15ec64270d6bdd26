/**
 * aws-local-stepfunctions 3 calls `Promise.withResolvers` (Node >= 22). On Node 20 every Task would fail
 * with a TypeError that a `States.ALL` Catch swallows, so the runner and the tests install this first.
 */
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  (Promise as unknown as { withResolvers: unknown }).withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};
