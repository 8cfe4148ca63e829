import type { ReactNode } from 'react';
import { routes, type OperationId } from '@lathe/contract';

/**
 * One page of the studio. A page is one folder under src/pages/ whose `page.tsx` exports
 * `page`; the shell finds every such folder by itself (import.meta.glob), so adding a
 * page touches nothing else.
 */
export interface PageDef {
  id: string;
  /** Routes under /w/:ws/ (react-router paths, e.g. `runs/:run/*`). */
  routes: Array<{ path: string; element: ReactNode }>;
  /** A sidebar entry. */
  nav?: { label: string; path: string; order: number; icon: ReactNode; shortcut?: string; /** Highlight only on this exact path, not below it. */ end?: boolean };
  /**
   * Operations the page calls. When the contract this studio was built with lacks one of
   * them, the page is left out (its routes and its nav entry): a page for an area that has
   * not landed on the server yet stays dormant instead of failing.
   */
  requires?: string[];
}

export function pageAvailable(page: PageDef): boolean {
  return (page.requires ?? []).every((op) => Object.prototype.hasOwnProperty.call(routes, op as OperationId));
}

/** Every page folder, found at build time. */
export function loadPages(modules: Record<string, { page?: PageDef }>): PageDef[] {
  return Object.values(modules)
    .map((m) => m.page)
    .filter((p): p is PageDef => p !== undefined && pageAvailable(p))
    .sort((a, b) => (a.nav?.order ?? 1000) - (b.nav?.order ?? 1000));
}
