import { useWorkspace } from '../../app/api-context';
import { useCrumbs } from '../../app/crumbs';
import { RunsView } from '../../components/runs-table/runs-view';

export function AllRuns() {
  const { ws } = useWorkspace();
  useCrumbs([{ label: ws, to: `/w/${encodeURIComponent(ws)}/experiments` }, { label: 'All runs' }]);
  return (
    <div className="page fill">
      <div className="page-head">
        <h1>All runs</h1>
        <span className="muted">every experiment in {ws}</span>
      </div>
      <RunsView />
    </div>
  );
}
