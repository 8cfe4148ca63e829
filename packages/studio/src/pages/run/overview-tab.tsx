import { useState, type ReactNode } from 'react';
import { useApi } from '../../app/api-context';
import { Link } from 'react-router';
import { commitUrl, repoWebUrl } from '../../lib/git';
import { formatDateTime, formatDuration, formatMetric, runDuration } from '../../lib/format';
import { CopyIcon, ExternalIcon } from '../../components/icons';
import { useRunView } from './run-context';

const GIT = 'mlflow.source.git.';

function Section({ title, children, right }: { title: string; children: ReactNode; right?: ReactNode }) {
  return (
    <section className="panel">
      <header className="panel-head">
        <span className="panel-title">{title}</span>
        <span className="spacer" />
        {right}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

function KeyValues({ entries, empty, mono = true, linkTo }: { entries: Array<[string, ReactNode]>; empty: string; mono?: boolean; linkTo?: (k: string) => string }) {
  if (entries.length === 0) return <div className="muted small">{empty}</div>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{linkTo ? <Link to={linkTo(k)}>{k}</Link> : k}</th>
            <td className={mono ? 'mono' : ''}>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CopyButton({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="icon-btn"
      title="Copy"
      aria-label="Copy"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true);
          window.setTimeout(() => setDone(false), 1200);
        });
      }}
    >
      {done ? '✓' : <CopyIcon />}
    </button>
  );
}

export function OverviewTab({ now }: { now: number }) {
  const { run, ws } = useRunView();
  const base = `/w/${encodeURIComponent(ws)}`;
  const runBase = `${base}/runs/${encodeURIComponent(run.id)}`;
  const job = run.job;
  const tags = Object.entries(run.tags);
  const userTags = tags.filter(([k]) => !k.startsWith('mlflow.'));
  const systemTags = tags.filter(([k]) => k.startsWith('mlflow.') && !k.startsWith(GIT));
  const repo = run.tags[`${GIT}repoURL`];
  const commit = run.tags[`${GIT}commit`];
  const branch = run.tags[`${GIT}branch`];
  const dirty = run.tags[`${GIT}dirty`];
  const commitLink = commitUrl(repo, commit);
  const repoLink = repo ? repoWebUrl(repo) : null;
  const ignored = Object.keys(job?.ignored ?? {});

  return (
    <div className="overview">
      <div className="facts-grid">
        <div className="fact">
          <div className="fact-label">Status</div>
          <div className="fact-value" data-testid="overview-status">
            {run.status}
            {run.exit_code !== null ? <span className="muted small"> · exit {run.exit_code}</span> : null}
          </div>
          {run.status_reason ? <div className="fact-sub">{run.status_reason}</div> : null}
        </div>
        <div className="fact">
          <div className="fact-label">Duration</div>
          <div className="fact-value num">{formatDuration(runDuration(run, now))}</div>
          <div className="fact-sub">
            {run.started_at ? `started ${formatDateTime(run.started_at)}` : `queued since ${formatDateTime(run.created_at)}`}
            {run.ended_at ? <>, ended {formatDateTime(run.ended_at)}</> : null}
          </div>
        </div>
        <div className="fact">
          <div className="fact-label">Compute</div>
          <div className="fact-value">{run.compute ? <Link to={`${base}/compute`}>{run.compute}</Link> : <span className="muted">none (logged)</span>}</div>
          <div className="fact-sub">submitted by {run.user}</div>
        </div>
        <div className="fact">
          <div className="fact-label">Experiment</div>
          <div className="fact-value">
            <Link to={`${base}/experiments/${encodeURIComponent(run.experiment_name)}`}>{run.experiment_name}</Link>
          </div>
          <div className="fact-sub">created {formatDateTime(run.created_at)}</div>
        </div>
      </div>

      {run.description ? <p className="description">{run.description}</p> : null}
      {ignored.length ? (
        <div className="notice small">
          Recorded but not honoured on this compute: <code>{ignored.join(', ')}</code>
        </div>
      ) : null}

      <div className="overview-cols">
        <div className="col">
          {job ? (
            <Section title="Command" right={<CopyButton text={job.command} />}>
              <pre className="command" data-testid="command">{job.command}</pre>
            </Section>
          ) : null}
          {job ? (
            <Section title="Inputs and outputs">
              <table className="kv">
                <tbody>
                  {Object.entries(job.inputs).map(([name, input]) => (
                    <tr key={`in:${name}`}>
                      <th>
                        <span className="io in">in</span> {name}
                      </th>
                      <td className="mono">
                        {input.kind === 'literal' ? (
                          String(input.value)
                        ) : (
                          <>
                            <Link to={`${runBase}/snapshot?source=${encodeURIComponent(`input:${name}`)}`}>{input.source}</Link> <span className="muted small">({input.type}, {input.mode})</span>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                  {Object.entries(job.outputs).map(([name, out]) => (
                    <tr key={`out:${name}`}>
                      <th>
                        <span className="io out">out</span> {name}
                      </th>
                      <td className="mono">
                        <Link to={`${runBase}/outputs?path=${encodeURIComponent(`named-outputs/${name}/`)}`}>named-outputs/{name}/</Link> <span className="muted small">({out.type}, {out.mode})</span>
                      </td>
                    </tr>
                  ))}
                  {Object.keys(job.inputs).length + Object.keys(job.outputs).length === 0 ? (
                    <tr>
                      <td className="muted small">No inputs or outputs declared.</td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </Section>
          ) : null}
          <Section title="Params">
            <KeyValues entries={Object.entries(run.params).sort(([a], [b]) => a.localeCompare(b))} empty="No params logged." />
          </Section>
          <Section title="Latest metrics">
            <KeyValues
              entries={Object.entries(run.metrics)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, m]) => [
                  k,
                  <span key={k}>
                    <span className="num">{formatMetric(m.value)}</span> <span className="muted small">step {m.step}</span>
                  </span>,
                ])}
              empty="No metrics logged."
              linkTo={() => `${runBase}/metrics`}
            />
          </Section>
        </div>
        <div className="col">
          <Section title="Source">
            {repo || commit || branch ? (
              <table className="kv">
                <tbody>
                  {repo ? (
                    <tr>
                      <th>Repository</th>
                      <td className="mono">
                        {repoLink ? (
                          <a href={repoLink} target="_blank" rel="noreferrer noopener">
                            {repo} <ExternalIcon />
                          </a>
                        ) : (
                          repo
                        )}
                      </td>
                    </tr>
                  ) : null}
                  {branch ? (
                    <tr>
                      <th>Branch</th>
                      <td className="mono">{branch}</td>
                    </tr>
                  ) : null}
                  {commit ? (
                    <tr>
                      <th>Commit</th>
                      <td className="mono">
                        {commitLink ? (
                          <a href={commitLink} target="_blank" rel="noreferrer noopener" data-testid="commit-link">
                            {commit.slice(0, 12)} <ExternalIcon />
                          </a>
                        ) : (
                          commit.slice(0, 12)
                        )}
                        {dirty === 'true' ? <span className="pill warn small">uncommitted changes</span> : null}
                      </td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            ) : (
              <div className="muted small">No git information was recorded (the code was not in a git repository).</div>
            )}
            {job?.code_snapshot_id ? (
              <div className="small">
                <Link to={`${runBase}/snapshot`}>Browse the submitted code</Link>
              </div>
            ) : null}
          </Section>
          {job ? (
            <Section title="Environment">
              <KeyValues
                entries={[
                  ['environment', job.environment === undefined ? <span className="muted">the host's</span> : typeof job.environment === 'string' ? job.environment : JSON.stringify(job.environment)],
                  ['timeout', job.timeout_seconds ? formatDuration(job.timeout_seconds * 1000) : 'none'],
                  ...Object.entries(job.environment_variables).map(([k, v]): [string, string] => [`$${k}`, v]),
                ]}
                empty=""
              />
            </Section>
          ) : null}
          <RunModels />
          <Section title="Tags">
            <KeyValues entries={userTags} empty="No tags." />
            {systemTags.length ? (
              <details className="small">
                <summary className="muted">{systemTags.length} system tags</summary>
                <KeyValues entries={systemTags} empty="" />
              </details>
            ) : null}
          </Section>
        </div>
      </div>
    </div>
  );
}

/** Model versions registered from this run (lineage to the registry). */
function RunModels() {
  const { run, ws, client } = useRunView();
  const models = useApi(`run-models:${ws}:${run.id}:${run.status}`, () => client.call('listRunModels', { params: { run: run.id } }));
  if (!models.data?.items.length) return null;
  const base = `/w/${encodeURIComponent(ws)}`;
  return (
    <Section title="Registered models">
      <table className="kv">
        <tbody>
          {models.data.items.map((m) => (
            <tr key={`${m.name}:${m.version}`}>
              <th>
                <Link to={`${base}/models/${encodeURIComponent(m.name)}/${m.version}`}>
                  {m.name} v{m.version}
                </Link>
              </th>
              <td className="mono small">
                {m.type}
                {m.mlmodel?.flavors.length ? ` · ${m.mlmodel.flavors.join(', ')}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
