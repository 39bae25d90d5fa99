import { formatCount } from '../format';
import { dead, queue } from '../model';
import { AdminButton } from './AdminButton';
import { DeadLetterRow } from './DeadLetterRow';

function Filters() {
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        dead.applyFilter();
      }}
    >
      <label class="field grow">
        <span>Error text</span>
        <input
          type="search"
          name="q"
          placeholder="name or message contains…"
          value={dead.filterText.value}
          onInput={(e) => {
            dead.filterText.value = e.currentTarget.value;
          }}
        />
      </label>
      <label class="field">
        <span>Dead from</span>
        <input
          type="datetime-local"
          name="from"
          step={1}
          value={dead.filterFrom.value}
          onInput={(e) => {
            dead.filterFrom.value = e.currentTarget.value;
          }}
        />
      </label>
      <label class="field">
        <span>Dead until</span>
        <input
          type="datetime-local"
          name="to"
          step={1}
          value={dead.filterTo.value}
          onInput={(e) => {
            dead.filterTo.value = e.currentTarget.value;
          }}
        />
      </label>
      <div class="filter-buttons">
        <button type="submit" class="button primary">
          Filter
        </button>
        <button type="button" class="button" onClick={dead.clearFilter} disabled={!dead.isFiltered.value}>
          Clear
        </button>
      </div>
    </form>
  );
}

function Pager() {
  const total = dead.total.value;
  const offset = dead.offset.value;
  const shown = dead.items.value.length;
  if (total <= dead.PAGE_SIZE && offset === 0) return null;
  return (
    <div class="pager">
      <span class="muted">
        {formatCount(shown === 0 ? 0 : offset + 1)}–{formatCount(offset + shown)} of {formatCount(total)}
      </span>
      <button
        type="button"
        class="button small"
        disabled={offset === 0}
        onClick={() => dead.goToPage(offset - dead.PAGE_SIZE)}
      >
        Previous
      </button>
      <button
        type="button"
        class="button small"
        disabled={offset + shown >= total}
        onClick={() => dead.goToPage(offset + dead.PAGE_SIZE)}
      >
        Next
      </button>
    </div>
  );
}

export function DeadLetters() {
  const name = queue.value;
  if (name === null) return null;
  const items = dead.items.value;
  const total = dead.total.value;
  const selectedCount = dead.selected.value.size;
  return (
    <section class="panel" aria-labelledby="dead-title">
      <div class="panel-head">
        <h2 id="dead-title">
          Dead letters{' '}
          <span class="muted" data-testid="dead-total">
            {dead.page.value ? `${formatCount(total)}${dead.isFiltered.value ? ' matching' : ''}` : ''}
          </span>
        </h2>
        <div class="toolbar">
          <AdminButton class="button" disabled={selectedCount === 0} onClick={() => dead.retrySelected(name)}>
            Retry selected{selectedCount > 0 ? ` (${selectedCount})` : ''}
          </AdminButton>
          <AdminButton class="button" disabled={total === 0} onClick={() => dead.retryAllMatching(name)}>
            Retry all matching
          </AdminButton>
          <AdminButton class="button danger-outline" onClick={() => dead.purge(name)}>
            Purge…
          </AdminButton>
        </div>
      </div>
      <Filters />
      {dead.loadError.value && <p class="error-text">Cannot list the dead letters: {dead.loadError.value}</p>}
      {dead.page.value && items.length === 0 && (
        <p class="muted empty">
          {dead.isFiltered.value
            ? 'No dead letter matches the filter.'
            : 'No dead letters. Nothing has died.'}
        </p>
      )}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="table cards dead-table">
            <thead>
              <tr>
                <th class="check">
                  <input
                    type="checkbox"
                    aria-label="Select every row on this page"
                    checked={dead.allOnPageSelected.value}
                    onChange={dead.toggleAllOnPage}
                  />
                </th>
                <th>Job</th>
                <th>Reason</th>
                <th>Last error</th>
                <th class="num">Attempts</th>
                <th>Dead at</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((letter) => (
                <DeadLetterRow key={letter.id} letter={letter} queue={name} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager />
    </section>
  );
}
