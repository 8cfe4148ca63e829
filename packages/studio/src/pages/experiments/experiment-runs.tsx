import { useParams } from 'react-router';
import { useCrumbs } from '../../app/crumbs';
import { useWorkspace } from '../../app/api-context';
import { RunsView } from '../../components/runs-table/runs-view';

export function ExperimentRuns() {
  const { experiment = '' } = useParams();
  const { ws } = useWorkspace();
  const base = `/w/${encodeURIComponent(ws)}`;
  useCrumbs([{ label: ws, to: `${base}/experiments` }, { label: 'Experiments', to: `${base}/experiments` }, { label: experiment }]);
  return (
    <div className="page fill">
      <div className="page-head">
        <h1>{experiment}</h1>
      </div>
      <RunsView key={experiment} experiment={experiment} />
    </div>
  );
}
