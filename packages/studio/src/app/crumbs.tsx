import { createContext, useContext, useEffect, type ReactNode } from 'react';

export interface Crumb {
  label: string;
  to?: string;
}

export const CrumbsContext = createContext<(crumbs: Crumb[]) => void>(() => undefined);

/** Set the top bar's breadcrumbs and the document title for the current view. */
export function useCrumbs(crumbs: Crumb[]): void {
  const set = useContext(CrumbsContext);
  const key = JSON.stringify(crumbs);
  useEffect(() => {
    set(crumbs);
    document.title = [...crumbs].reverse().map((c) => c.label).concat('Lathe').join(' · ');
  }, [key, set]);
}

export function CrumbsProvider({ value, children }: { value: (crumbs: Crumb[]) => void; children: ReactNode }) {
  return <CrumbsContext.Provider value={value}>{children}</CrumbsContext.Provider>;
}
