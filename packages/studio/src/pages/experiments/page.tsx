import type { PageDef } from '../../app/page-def';
import { FlaskIcon } from '../../components/icons';
import { ExperimentList } from './experiment-list';
import { ExperimentRuns } from './experiment-runs';

export const page: PageDef = {
  id: 'experiments',
  nav: { label: 'Experiments', path: 'experiments', order: 10, icon: <FlaskIcon />, shortcut: 'e' },
  routes: [
    { path: 'experiments', element: <ExperimentList /> },
    { path: 'experiments/:experiment', element: <ExperimentRuns /> },
  ],
};
