// The signed-in session of one client page: login, token refresh, logout.
// The access token lives 15 minutes and the refresh token is one-use (sessions end 8 h after
// login), so a page refreshes shortly before expiry, one refresh at a time, and keeps the
// session in sessionStorage: a reload keeps it, another tab signs in on its own (two tabs would
// race for the one-use refresh token).
import { CombinedError, stringifyDocument } from '@urql/core';
import type { TypedDocumentNode } from '@urql/core';
import { reactive } from 'vue';
import { graphql } from '../gql';
import { gatewayUrl } from './config';

export interface Session {
  username: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

const Login = graphql(`
  mutation Login($username: String!, $password: String!, $newPassword: String) {
    login(username: $username, password: $password, newPassword: $newPassword) {
      accessToken
      refreshToken
      expiresAt
    }
  }
`);

const Refresh = graphql(`
  mutation Refresh($token: String!) {
    refreshToken(token: $token) {
      accessToken
      refreshToken
      expiresAt
    }
  }
`);

const Logout = graphql(`
  mutation Logout {
    logout
  }
`);

/** Refresh when the access token has less than this left. */
const REFRESH_MARGIN_MS = 60_000;

/** One GraphQL request over plain fetch (login and refresh run before the urql client has a token). */
export async function request<TData, TVars extends object>(
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  token?: string,
): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(gatewayUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: stringifyDocument(document), variables }),
    });
  } catch (networkError) {
    throw new CombinedError({ networkError: networkError as Error });
  }
  const body = (await response.json().catch(() => ({}))) as { data?: TData; errors?: unknown[] };
  if (body.errors?.length || !body.data) {
    throw new CombinedError({
      graphQLErrors: (body.errors ?? [{ message: `HTTP ${response.status}` }]) as never,
      response,
    });
  }
  return body.data;
}

export type Auth = ReturnType<typeof createAuth>;

export function createAuth(app: string) {
  const key = `dcms.${app}.session`;
  const stored = sessionStorage.getItem(key);
  const state = reactive<{ session: Session | null }>({
    session: stored ? (JSON.parse(stored) as Session) : null,
  });
  let refreshing: Promise<boolean> | null = null;

  function keep(session: Session | null): void {
    state.session = session;
    if (session) sessionStorage.setItem(key, JSON.stringify(session));
    else sessionStorage.removeItem(key);
  }

  async function login(username: string, password: string, newPassword?: string): Promise<void> {
    const data = await request(Login, { username, password, newPassword: newPassword ?? null });
    keep({ username, ...data.login });
  }

  /** Trade the refresh token for a new pair; false (and signed out) when the session is over. */
  function refresh(): Promise<boolean> {
    const session = state.session;
    if (!session) return Promise.resolve(false);
    refreshing ??= request(Refresh, { token: session.refreshToken })
      .then((data) => {
        keep({ ...session, ...data.refreshToken });
        return true;
      })
      .catch((error: CombinedError) => {
        // A network failure keeps the session for the next try; a refused token ends it.
        if (!error.networkError) keep(null);
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  function expiresSoon(): boolean {
    const session = state.session;
    return !!session && Date.parse(session.expiresAt) - Date.now() < REFRESH_MARGIN_MS;
  }

  /** A usable access token, refreshed first when it is about to expire; null when signed out. */
  async function token(): Promise<string | null> {
    if (expiresSoon()) await refresh();
    return state.session?.accessToken ?? null;
  }

  async function logout(): Promise<void> {
    const session = state.session;
    keep(null);
    if (session) await request(Logout, {}, session.accessToken).catch(() => undefined);
  }

  return { state, login, refresh, token, expiresSoon, logout, forget: () => keep(null) };
}
