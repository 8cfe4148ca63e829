import type { PageDef } from '../../app/page-def';
import { RunPage } from './run-page';

export const page: PageDef = {
  id: 'run',
  routes: [
    { path: 'runs/:run', element: <RunPage /> },
    { path: 'runs/:run/:tab', element: <RunPage /> },
  ],
};
