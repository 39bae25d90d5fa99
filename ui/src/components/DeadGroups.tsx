import { formatCount } from '../format';
import { groups, queue } from '../model';
import type { DeadGroup } from '../types';
import { AdminButton } from './AdminButton';
import { RowMenu } from './RowMenu';
import { Time } from './Time';

const COLUMNS = 4;

function Members({ group }: { group: DeadGroup }) {
  const members = groups.open.value?.members;
  if (!members) return <p class="muted">Loading…</p>;
  return (
    <>
      <ul class="members" data-testid="group-members">
        {members.items.map((letter) => {
          const last = letter.errors.at(-1);
          return (
            <li key={letter.id}>
              <span class="mono">{letter.id}</span>
              <span class="clip">{last ? last.message : '–'}</span>
              <span class="muted nowrap">
                <Time ms={letter.deadAt} />
              </span>
            </li>
          );
        })}
      </ul>
      {members.total > members.items.length && (
        <p class="muted">
          The newest {members.items.length} of {formatCount(group.count)}; the Dead letters view shows every
          letter with its payload.
        </p>
      )}
    </>
  );
}

function GroupRow({ group, queue }: { group: DeadGroup; queue: string }) {
  const isOpen = groups.open.value?.id === group.id;
  return (
    <>
      <tr class={isOpen ? 'open' : undefined} data-testid="group-row" data-group={group.id}>
        <td class="clip wide label-cell" title={group.label}>
          <button
            type="button"
            class="link-button mono"
            aria-expanded={isOpen}
            onClick={() => void groups.toggleOpen(queue, group.id)}
          >
            {isOpen ? '▾' : '▸'} {group.label}
          </button>
        </td>
        <td class="num" data-label="Letters" data-testid="group-count">
          {formatCount(group.count)}
        </td>
        <td class="nowrap" data-label="Last dead at">
          <Time ms={group.lastDeadAt} />
        </td>
        <td class="wide">
          <RowMenu label={group.label}>
            <AdminButton class="button small" onClick={() => groups.retryGroup(queue, group)}>
              Retry group
            </AdminButton>
            <AdminButton class="button small danger-outline" onClick={() => groups.deleteGroup(queue, group)}>
              Delete group
            </AdminButton>
          </RowMenu>
        </td>
      </tr>
      {isOpen && (
        <tr class="detail">
          <td colSpan={COLUMNS}>
            <div class="detail-body">
              <Members group={group} />
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

export function DeadGroups() {
  const name = queue.value;
  if (name === null) return null;
  const list = groups.list.value;
  return (
    <section class="panel" aria-labelledby="groups-title">
      <div class="panel-head">
        <h2 id="groups-title">
          Dead-letter groups{' '}
          <span class="muted" data-testid="groups-total">
            {list ? formatCount(list.length) : ''}
          </span>
        </h2>
      </div>
      <p class="muted">
        Dead letters grouped by the error that killed them: its name and the first line of your code in its
        stack.
      </p>
      {groups.loadError.value && <p class="error-text">Cannot list the groups: {groups.loadError.value}</p>}
      {list && list.length === 0 && <p class="muted empty">No dead-letter groups. Nothing has died.</p>}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table class="table cards groups-table">
            <thead>
              <tr>
                <th>Error</th>
                <th class="num">Letters</th>
                <th>Last dead at</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((group) => (
                <GroupRow key={group.id} group={group} queue={name} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
