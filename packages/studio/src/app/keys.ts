import { useEffect, useRef } from 'react';

/** Whether a key press belongs to a text field (shortcuts stay out of its way). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  const tag = t.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable;
}

/**
 * Page-level single-key shortcuts (`j`, `[`, `Enter` …), active while the component is
 * mounted; ignored while typing or with a modifier held.
 */
export function useKeys(map: Record<string, (e: KeyboardEvent) => void>, enabled = true): void {
  const ref = useRef(map);
  ref.current = map;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const fn = ref.current[e.key];
      if (fn) {
        e.preventDefault();
        fn(e);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

/** Focus the page's search box (the element marked `data-search`). */
export function focusSearch(): boolean {
  const el = document.querySelector<HTMLInputElement>('[data-search]');
  if (!el) return false;
  el.focus();
  el.select();
  return true;
}
