// A tiny observable store: module-level state that several components read.
import { useEffect, useState } from '../lib/preact.js';

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    /** Replace by a patch object (shallow merge) or a function of the old state. */
    set(next) {
      const value = typeof next === 'function' ? next(state) : { ...state, ...next };
      if (value === state) return;
      state = value;
      for (const listener of [...listeners]) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Re-render when the selected part of the store changes (compared with `Object.is`). */
export function useStore(store, selector = (s) => s) {
  const [value, setValue] = useState(() => selector(store.get()));
  useEffect(() => {
    setValue(selector(store.get()));
    return store.subscribe((s) => setValue(() => selector(s)));
  }, [store]);
  return value;
}
