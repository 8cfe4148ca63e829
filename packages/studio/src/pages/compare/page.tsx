import type { PageDef } from '../../app/page-def';
import { ComparePage } from './compare-page';

export const page: PageDef = {
  id: 'compare',
  routes: [{ path: 'compare', element: <ComparePage /> }],
};
