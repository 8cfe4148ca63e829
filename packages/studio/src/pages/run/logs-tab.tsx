import { useSyncExternalStore } from 'react';
import { LogView } from '../../components/log-view/log-view';
import { saveResponse } from '../../components/file-browser/preview';
import { ErrorPanel } from '../../components/states';
import { formatBytes } from '../../lib/format';
import { useRunView } from './run-context';

export function LogsTab() {
  const { run, client, stream, active } = useRunView();
  const state = useSyncExternalStore(
    (fn) => stream.subscribe(fn),
    () => stream.state,
  );
  const text = stream.text();
  const download = async () => saveResponse(await client.download('readLog', { params: { run: run.id }, query: { offset: 0 } }), `${run.id}-std_log.txt`);
  return (
    <div className="logs-tab">
      {state.error && !state.ended ? <ErrorPanel compact error={state.error} what="the live log (retrying)" /> : null}
      <LogView
        text={text}
        live={active && !state.ended}
        onDownload={() => void download()}
        status={`${formatBytes(state.bytes)}${active && !state.ended ? ' · live' : ''}`}
      />
    </div>
  );
}
