import type { PageDef } from '../../app/page-def';
import { RunsIcon } from '../../components/icons';
import { AllRuns } from './all-runs';

export const page: PageDef = {
  id: 'runs',
  nav: { label: 'All runs', path: 'runs', order: 20, icon: <RunsIcon />, shortcut: 'r', end: true },
  routes: [{ path: 'runs', element: <AllRuns /> }],
};
