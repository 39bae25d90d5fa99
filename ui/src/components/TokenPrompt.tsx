import { setToken, token, tokenDraft, tokenPrompt } from '../model';

export function TokenPrompt() {
  const reason = tokenPrompt.value;
  if (reason === null) return null;
  return (
    <section class="panel token-prompt" aria-labelledby="token-title">
      <h2 id="token-title">
        {reason === 'read' ? 'This server needs an access token' : 'This action needs the admin token'}
      </h2>
      <p class="muted">
        {token.value
          ? reason === 'read'
            ? 'The server refused the token this tab holds.'
            : 'The token this tab holds can read but not change anything.'
          : 'Ask whoever runs the server for a token.'}{' '}
        It is kept in this browser tab only (sessionStorage) and sent as a Bearer header.
      </p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(tokenDraft.value);
        }}
      >
        <label class="field grow">
          <span>Token</span>
          <input
            type="password"
            name="token"
            autocomplete="off"
            spellcheck={false}
            value={tokenDraft.value}
            onInput={(e) => {
              tokenDraft.value = e.currentTarget.value;
            }}
          />
        </label>
        <button type="submit" class="button primary" disabled={tokenDraft.value.trim() === ''}>
          Use token
        </button>
      </form>
    </section>
  );
}
