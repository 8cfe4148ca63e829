import type { PageDef } from '../../app/page-def';
import { BoxIcon } from '../../components/icons';
import { ModelList } from './model-list';
import { ModelDetail } from './model-detail';
import { ModelVersionPage } from './model-version';

/** The model registry. Dormant (no nav entry, no routes) when the server's contract has no model operations. */
export const page: PageDef = {
  id: 'models',
  nav: { label: 'Models', path: 'models', order: 30, icon: <BoxIcon />, shortcut: 'm' },
  requires: ['listModels', 'getModel', 'listModelVersions', 'getModelVersion'],
  routes: [
    { path: 'models', element: <ModelList /> },
    { path: 'models/:name', element: <ModelDetail /> },
    { path: 'models/:name/:version', element: <ModelVersionPage /> },
  ],
};
