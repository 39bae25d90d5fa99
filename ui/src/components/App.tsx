import { locked, queue, queuesError, view } from '../model';
import { ConfirmDialog } from './ConfirmDialog';
import { CountsGrid } from './CountsGrid';
import { DeadGroups } from './DeadGroups';
import { DeadLetters } from './DeadLetters';
import { EventFeed } from './EventFeed';
import { Header } from './Header';
import { JobPages } from './JobPages';
import { JobsView } from './JobsView';
import { Notices } from './Notices';
import { OutageBanner } from './OutageBanner';
import { Overview } from './Overview';
import { Schedules } from './Schedules';
import { Tabs } from './Tabs';
import { TokenPrompt } from './TokenPrompt';

function Body() {
  if (locked.value) return null;
  if (queue.value === null) {
    return (
      <p class="placeholder">
        {queuesError.value ? `Cannot list the queues: ${queuesError.value}` : 'Loading queues…'}
      </p>
    );
  }
  return (
    <>
      <CountsGrid />
      {view.value === 'overview' && <Overview />}
      {view.value === 'dead' && <DeadLetters />}
      {view.value === 'groups' && <DeadGroups />}
      {view.value === 'jobs' && <JobsView />}
      {view.value === 'browse' && <JobPages />}
      {view.value === 'schedules' && <Schedules />}
      {view.value === 'events' && <EventFeed />}
    </>
  );
}

export function App() {
  return (
    <>
      <Header />
      <Tabs />
      <main class="main">
        <OutageBanner />
        <TokenPrompt />
        <Body />
      </main>
      <Notices />
      <ConfirmDialog />
    </>
  );
}
