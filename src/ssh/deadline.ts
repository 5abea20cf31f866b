/**
 * Settles with `work`'s value, or with `onTimeout()` after `ms` — whichever comes first.
 * `work` keeps running after a timeout; `late` receives its value then, to release it.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T, late?: (value: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      resolve(onTimeout());
    }, ms);
    work.then(
      (value) => {
        if (expired) late?.(value);
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!expired) reject(err);
      },
    );
  });
}
