// Where the gateway is. A page served next to `dcms up` finds it on the same host, port 4000;
// `VITE_GATEWAY_URL` at build time or `window.DCMS_GATEWAY_URL` (set before the app starts, as
// the browser tests do) names another.
declare global {
  interface Window {
    DCMS_GATEWAY_URL?: string;
  }
}

export function gatewayUrl(): string {
  return (
    window.DCMS_GATEWAY_URL ??
    (import.meta.env.VITE_GATEWAY_URL as string | undefined) ??
    `${location.protocol}//${location.hostname}:4000/graphql`
  );
}

export function gatewayWsUrl(): string {
  return gatewayUrl().replace(/^http/, 'ws');
}
