import { EnqueueForm } from './EnqueueForm';
import { JobLookup } from './JobLookup';

export function JobsView() {
  return (
    <div class="two-columns">
      <JobLookup />
      <EnqueueForm />
    </div>
  );
}
