import type { PageDef } from '../../app/page-def';
import { CpuIcon } from '../../components/icons';
import { ComputePage } from './compute-page';

export const page: PageDef = {
  id: 'compute',
  nav: { label: 'Compute', path: 'compute', order: 40, icon: <CpuIcon />, shortcut: 'c' },
  routes: [{ path: 'compute', element: <ComputePage /> }],
};
